// PostgreSQL server encodings as text decoders: names in an archive's TOC, a plain dump, the
// database-level entries pg_restore prints and pg_dumpall's roles file are all in the server's
// encoding, which the file declares (SET client_encoding = '…', or the archive header). One table,
// used by every reader, so they never disagree on what a byte means.
//
// WHATWG decoders, with one exception: their "iso-8859-1" is windows-1252, which reads 0x80–0x9F as
// printable characters, so LATIN1 is decoded byte for byte (true ISO 8859-1) instead.

/** PostgreSQL's names (upper case, without '-' and '_') → WHATWG decoder labels. */
const DECODER_LABELS: Readonly<Record<string, string>> = {
  UTF8: 'utf-8',
  // Bytes with no declared meaning: UTF-8 is the best reading, and what psql shows.
  SQLASCII: 'utf-8',
  LATIN2: 'iso-8859-2',
  LATIN3: 'iso-8859-3',
  LATIN4: 'iso-8859-4',
  LATIN5: 'iso-8859-9',
  LATIN6: 'iso-8859-10',
  LATIN7: 'iso-8859-13',
  LATIN8: 'iso-8859-14',
  LATIN9: 'iso-8859-15',
  LATIN10: 'iso-8859-16',
  ISO88595: 'iso-8859-5',
  ISO88596: 'iso-8859-6',
  ISO88597: 'iso-8859-7',
  ISO88598: 'iso-8859-8',
  WIN866: 'ibm866',
  WIN874: 'windows-874',
  ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`WIN125${i}`, `windows-125${i}`])),
  KOI8R: 'koi8-r',
  KOI8U: 'koi8-u',
  EUCJP: 'euc-jp',
  EUCKR: 'euc-kr',
  UHC: 'euc-kr',
  EUCCN: 'gb18030',
  GBK: 'gbk',
  GB18030: 'gb18030',
  BIG5: 'big5',
  SJIS: 'shift_jis',
};

export interface ServerEncodingDecoder {
  /** The PostgreSQL name as given. */
  readonly encoding: string;
  decode(bytes: Uint8Array): string;
}

const normalise = (name: string) => name.toUpperCase().replace(/[-_]/g, '');

/** A decoder for text in `pgEncoding`, or undefined for an encoding no decoder here reads (MULE_INTERNAL, EUC_TW…). */
export function serverEncodingDecoder(pgEncoding: string): ServerEncodingDecoder | undefined {
  const name = normalise(pgEncoding);
  if (name === 'LATIN1') return { encoding: pgEncoding, decode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1') };
  const label = DECODER_LABELS[name];
  if (label === undefined) return undefined;
  const decoder = new TextDecoder(label);
  return { encoding: pgEncoding, decode: (bytes) => decoder.decode(bytes) };
}

/** As serverEncodingDecoder, reading what it does not know (or no declared encoding) as UTF-8. */
export function decoderOrUtf8(pgEncoding: string | undefined): ServerEncodingDecoder {
  return serverEncodingDecoder(pgEncoding ?? 'UTF8') ?? serverEncodingDecoder('UTF8')!;
}
