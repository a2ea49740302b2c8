import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { PsqlInputRefused, psqlKnowsRestrict, restrictedPsqlInput } from './psql-input.ts';

const KEY = 'dwkqRYSoxaTUghy21SOmam96mBEj9x4VYZQ0nwkifsEryNdkqsZwhtOkYotYRS5';
const dump = (body: string, key = KEY) => `--\n-- PostgreSQL database dump\n--\n\n\\restrict ${key}\n\n${body}--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict ${key}\n\n`;

/** What psql would read, fed in chunks of `size` bytes. */
async function read(text: string | Buffer, size = 7): Promise<string> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const chunk of restrictedPsqlInput(Readable.from(chunks))) out.push(chunk as Buffer);
  return Buffer.concat(out).toString();
}

describe('restrictedPsqlInput', () => {
  test.each([1, 5, 11, 64 * 1024])('a script pg_dump wrote passes unchanged (chunks of %i)', async (size) => {
    const text = dump('SET standard_conforming_strings = on;\nCOPY public.t (v) FROM stdin;\nrestrict\n\\\\N\n\\.\n\n');
    expect(await read(text, size)).toBe(text);
  });

  test('text "\\unrestrict" in COPY data and E\'\' strings (written \\\\unrestrict) passes: psql never takes it for a command', async () => {
    const text = dump("CREATE TABLE public.d (c text DEFAULT E'\\n\\\\unrestrict `id`\\n');\nCOPY public.t (v) FROM stdin;\n\\\\unrestrict `id`\nx\\t\\\\\\\\unrestrict\n\\.\n\n");
    expect(text).toContain('\n\\\\unrestrict `id`\n');
    for (const size of [1, 5, 4096]) expect(await read(text, size)).toBe(text);
  });

  test("a script without \\restrict (an older pg_dump) is restricted with a key of Holdfast's own", async () => {
    const text = '--\n-- PostgreSQL database dump\n--\n\nSET x = 1;\nCREATE TABLE t (i int);\n';
    const out = await read(text);
    expect(out).toMatch(/^\\restrict [0-9a-f]{48}\n/);
    expect(out.slice(out.indexOf('\n') + 1)).toBe(text);
  });

  test.each([
    ['a view definition a hostile source answered', dump('CREATE VIEW public.v AS\n SELECT 1 AS a;\n\\unrestrict `id > /tmp/x`\nSELECT 1 AS a;\n')],
    ['the right key in the middle, then a shell command', dump(`SELECT 1;\n\\unrestrict ${KEY}\n\\! id > /tmp/x\n\\restrict ${KEY}\n`)],
    ['an \\unrestrict after SQL on the same line', dump('SELECT 1; \\unrestrict `id`\n')],
    ['more after the closing line', `${dump('SELECT 1;\n')}\\! id\n`],
    ['a closing line with another key', dump('SELECT 1;\n').replace(new RegExp(`unrestrict ${KEY}`), 'unrestrict abc')],
    ['a script with no \\restrict that unrestricts', 'SELECT 1;\n\\unrestrict abc\n'],
    ['an \\unrestrict after a \\restrict that is not the first command', `SELECT 1;\n\\restrict ${KEY}\nSELECT 2;\n\\unrestrict ${KEY}\n`],
  ])('%s: refused before psql reads it', async (_what, text) => {
    for (const size of [3, 11, 4096]) await expect(read(text, size)).rejects.toThrow(PsqlInputRefused);
  });

  test('the refused \\unrestrict is never passed on, however the input is cut', async () => {
    const text = dump('SELECT 1;\n\\unrestrict `id > /tmp/x`\n');
    for (const size of [1, 2, 10, 11, 12, 100]) {
      const seen: Buffer[] = [];
      const stream = restrictedPsqlInput(Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => Buffer.from(text.slice(i * size, (i + 1) * size)))));
      await expect(
        (async () => {
          for await (const chunk of stream) seen.push(chunk as Buffer);
        })(),
      ).rejects.toThrow(/unrestrict at byte/);
      expect(Buffer.concat(seen).toString()).not.toContain('`id');
    }
  });

  test('a NUL byte, which lets psql splice "\\unre" and "strict" into one command, is refused', async () => {
    const text = Buffer.concat([Buffer.from(dump('SELECT 1;\n\\unre')), Buffer.from([0]), Buffer.from('x'.repeat(1000) + 'strict `id`\n')]);
    await expect(read(text, 64)).rejects.toThrow(/NUL byte/);
  });
});

test('psqlKnowsRestrict: the minors that brought \\restrict', () => {
  expect(['13.22', '14.19', '15.14', '15.18', '16.10', '17.6', '18.0', '18beta2', '19.1'].filter(psqlKnowsRestrict)).toHaveLength(9);
  expect(['12.22', '13.21', '14.18', '15.13', '16.9', '17.5', '17', 'abc'].filter(psqlKnowsRestrict)).toEqual([]);
});
