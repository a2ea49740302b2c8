// Bech32 (BIP 173), the encoding of age recipients (age1…): decodes and checks the checksum without
// loading the age library, which is a large share of every CLI command's start-up and is needed only
// when a backup is actually encrypted or decrypted. bech32.test.ts holds it to the library's verdicts.

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as const;
const CHECKSUM_WORDS = 6;

function polymod(values: readonly number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let bit = 0; bit < 5; bit++) if ((top >>> bit) & 1) checksum ^= GENERATOR[bit]!;
  }
  return checksum >>> 0;
}

/** The human-readable prefix and the payload bytes of a bech32 string, or undefined if it is not valid bech32. */
export function decodeBech32(text: string): { prefix: string; bytes: Buffer } | undefined {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) return undefined; // mixed case is invalid
  const separator = lower.lastIndexOf('1');
  if (separator < 1 || lower.length - separator - 1 < CHECKSUM_WORDS) return undefined;
  const prefix = lower.slice(0, separator);
  if ([...prefix].some((char) => char.charCodeAt(0) < 33 || char.charCodeAt(0) > 126)) return undefined;
  const words = [...lower.slice(separator + 1)].map((char) => CHARSET.indexOf(char));
  if (words.some((word) => word < 0)) return undefined;
  const codes = [...prefix].map((char) => char.charCodeAt(0));
  if (polymod([...codes.map((code) => code >> 5), 0, ...codes.map((code) => code & 31), ...words]) !== 1) return undefined;
  // 5-bit words to bytes; what is left over must be fewer than 5 zero bits.
  const bytes: number[] = [];
  let accumulator = 0;
  let bits = 0;
  for (const word of words.slice(0, -CHECKSUM_WORDS)) {
    accumulator = (accumulator << 5) | word;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((accumulator >> bits) & 0xff);
    }
    accumulator &= (1 << bits) - 1;
  }
  if (bits >= 5 || accumulator !== 0) return undefined;
  return { prefix, bytes: Buffer.from(bytes) };
}
