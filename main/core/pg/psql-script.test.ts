import { describe, expect, test } from 'vitest';
import { PsqlScriptReader } from './psql-script.ts';

const SCRIPT = [
  '\\restrict k',
  'COPY public.t (a, b) FROM stdin;',
  "SELECT 'data';\t1",
  '\\\\.\tnot the end',
  '\\.',
  'CREATE TABLE u (i int);',
  'copy u FROM STDIN WITH (FORMAT csv);',
  'x;y',
  '\\.',
  'SELECT 1',
].join('\n');

function read(bytes: Buffer, size: number): string[] {
  const statements: string[] = [];
  const reader = new PsqlScriptReader((s) => statements.push(s.metaCommand ? `meta ${s.sql}` : s.sql));
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  reader.finish();
  return statements;
}

describe('PsqlScriptReader', () => {
  test('COPY data is skipped up to its \\. line, whatever the chunking and line ends', () => {
    const expected = ['meta \\restrict k', 'COPY public.t (a, b) FROM stdin', 'CREATE TABLE u (i int)', 'copy u FROM STDIN WITH (FORMAT csv)', 'SELECT 1'];
    for (const bytes of [Buffer.from(SCRIPT), Buffer.from(SCRIPT.replace(/\n/g, '\r\n'))]) {
      for (const size of [1, 2, 3, 64, 4096]) expect(read(bytes, size)).toEqual(expected);
    }
  });

  test('COPY to stdout or from a file has no data lines', () => {
    expect(read(Buffer.from("COPY t TO stdout;\nSELECT 1;\nCOPY t FROM '/x';\nSELECT 2;\n"), 5)).toEqual(['COPY t TO stdout', 'SELECT 1', "COPY t FROM '/x'", 'SELECT 2']);
  });
});
