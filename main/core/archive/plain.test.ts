// The plain-SQL scanner over scripts written the way pg_dump writes them: COPY blocks counted row by
// row whatever their rows look like, the trailer required last, and every way a script is cut refused.
// Then the file-level checks: gzip or not decided by content, and a record that disagrees refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { inspectPlain, PlainScanner } from './plain.ts';
import { buildArchive, table, zstdFrame } from './test-support.ts';

const KEY = 'Yh3kq0';

/** Rows that look like dump syntax; in COPY text a backslash is doubled, so '\.' arrives as '\\.'. */
const TRICKY = [
  '\\\\.',
  'COPY public.fake (a) FROM stdin;',
  'CREATE TABLE public.fake (',
  '-- Data for Name: fake; Type: TABLE DATA; Schema: public; Owner: x',
  '-- PostgreSQL database dump complete',
];

const SCRIPT = `--
-- PostgreSQL database dump
--

\\restrict ${KEY}

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Name: add(integer); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.add(integer) RETURNS integer AS $$
COPY public.decoy (a) FROM stdin;
CREATE TABLE public.decoy (a int);
$$ LANGUAGE sql;

--
-- Name: people; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.people (
    v text
);

--
-- Name: Mixed"Case; Type: TABLE; Schema: Odd Schema; Owner: postgres
--

CREATE UNLOGGED TABLE "Odd Schema"."Mixed""Case" (
    v text
);

--
-- Name: empty_one; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.empty_one (x int);

--
-- Data for Name: people; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.people (v) FROM stdin;
${TRICKY.join('\n')}
\\.


--
-- Data for Name: Mixed"Case; Type: TABLE DATA; Schema: Odd Schema; Owner: postgres
--

COPY "Odd Schema"."Mixed""Case" (v) FROM stdin;
a
b
\\.


--
-- PostgreSQL database dump complete
--

\\unrestrict ${KEY}

`;

const TABLES = [
  { schema: 'public', name: 'people', hasData: true, rows: TRICKY.length },
  { schema: 'Odd Schema', name: 'Mixed"Case', hasData: true, rows: 2 },
  { schema: 'public', name: 'empty_one', hasData: false },
];

function scan(text: string | Buffer, chunk = Infinity): ReturnType<PlainScanner['finish']> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const scanner = new PlainScanner();
  for (let i = 0; i < bytes.length; i += chunk) scanner.push(bytes.subarray(i, Math.min(bytes.length, i + chunk)));
  return scanner.finish();
}

describe('PlainScanner', () => {
  test('counts the rows of every COPY block; function bodies and data that look like SQL are not read as SQL', () => {
    expect(scan(SCRIPT)).toEqual({ tables: TABLES, entryCount: 6 });
  });

  test('the same whatever the chunking, and with CRLF line ends', () => {
    for (const chunk of [1, 2, 3, 7, 64, 4096]) expect(scan(SCRIPT, chunk), `chunks of ${chunk}`).toEqual({ tables: TABLES, entryCount: 6 });
    expect(scan(SCRIPT.replaceAll('\n', '\r\n'), 5)).toEqual({ tables: TABLES, entryCount: 6 });
  });

  test('lines longer than the 8 kB it keeps of a line are still counted and still end a block', () => {
    const long = 'x'.repeat(20_000);
    const script = SCRIPT.replace('a\nb\n\\.', `a\n${long}\nb\n\\.`).replace('CREATE TABLE public.empty_one (x int);', `CREATE TABLE public.empty_one (x int); -- ${long}`);
    expect(scan(script, 1000).tables[1]).toEqual({ schema: 'Odd Schema', name: 'Mixed"Case', hasData: true, rows: 3 });
  });

  test('a COPY statement longer than the 8 kB it keeps of a line (200 long column names) starts its block however the script is chunked', () => {
    const columns = Array.from({ length: 200 }, (_, i) => `column_with_a_rather_long_descriptive_name_${i}`);
    const script = SCRIPT.replace('COPY public.people (v) FROM stdin;', `COPY public.people (${columns.join(', ')}) FROM stdin;`);
    // Missed, the block's rows were read as SQL: TRICKY's "-- Data for Name: fake…" and "COPY public.fake" among them.
    for (const chunk of [Infinity, 4096, 1000]) expect(scan(script, chunk), `chunks of ${chunk}`).toEqual({ tables: TABLES, entryCount: 6 });
  });

  test('a table or column whose name holds a newline: its CREATE TABLE and COPY span lines, and it is counted', () => {
    // pg_dump's header comment shows the newline as a space; the statements quote the name with the newline in it.
    const script = SCRIPT.replace(
      '--\n-- PostgreSQL database dump complete',
      [
        `-- Name: t \u2713 line; Type: TABLE; Schema: s'; DROP; Owner: postgres`,
        '--',
        '',
        `CREATE TABLE "s'; DROP"."t`,
        `\u2713 line" (`,
        '    "a',
        'b" integer',
        ');',
        '',
        '--',
        `-- Data for Name: t \u2713 line; Type: TABLE DATA; Schema: s'; DROP; Owner: postgres`,
        '--',
        '',
        `COPY "s'; DROP"."t`,
        `\u2713 line" ("a`,
        'b") FROM stdin;',
        '1',
        '2',
        '\\.',
        '',
        '--',
        '-- PostgreSQL database dump complete',
      ].join('\n'),
    );
    const expected = [...TABLES, { schema: "s'; DROP", name: 't\n\u2713 line', hasData: true, rows: 2 }];
    for (const chunk of [Infinity, 7]) expect(scan(script, chunk).tables, `chunks of ${chunk}`).toEqual(expected);
  });

  test('cut at any line, the script is refused', () => {
    const lines = SCRIPT.split('\n');
    const accepted: number[] = [];
    // The last lines are blank: a script cut among them is whole.
    for (let keep = 0; keep < lines.length - 2; keep++) {
      try {
        scan(lines.slice(0, keep).join('\n'));
        accepted.push(keep);
      } catch {
        // refused, as it should be
      }
    }
    expect(accepted).toEqual([]);
  });

  test('each cut is refused in words a DBA can act on', () => {
    const inCopy = SCRIPT.slice(0, SCRIPT.indexOf('b\n\\.') + 2);
    expect(() => scan(inCopy)).toThrow('the dump ends inside the COPY data for "Odd Schema"."Mixed""Case" after 2 rows, without its \\. terminator: the file is truncated');
    const beforeTrailer = SCRIPT.slice(0, SCRIPT.indexOf('-- PostgreSQL database dump complete\n--\n\n\\unrestrict'));
    const lines = beforeTrailer.split('\n').length;
    expect(() => scan(beforeTrailer)).toThrow(
      `the dump does not end with the "-- PostgreSQL database dump complete" trailer (it stops after ${Buffer.byteLength(beforeTrailer)} bytes, line ${lines - 1}): pg_dump did not finish writing it`,
    );
    expect(() => scan(SCRIPT.slice(0, SCRIPT.indexOf('\\unrestrict')))).toThrow('the dump stops after its trailer but before the closing \\unrestrict line: the file is truncated');
  });

  test('the trailer must be the last statement: SQL after it means a second, cut dump', () => {
    expect(() => scan(`${SCRIPT}CREATE TABLE public.more (x int);\n`)).toThrow(/does not end with the "-- PostgreSQL database dump complete" trailer/);
  });

  test('a pg_dumpall script needs the cluster trailer; a database trailer inside it is not enough', () => {
    const cluster = `--\n-- PostgreSQL database cluster dump\n--\n\n${SCRIPT}`;
    expect(() => scan(cluster)).toThrow(/does not end with the "-- PostgreSQL database cluster dump complete" trailer/);
    expect(scan(`${cluster}--\n-- PostgreSQL database cluster dump complete\n--\n\n`).tables).toEqual(TABLES);
  });

  test('--inserts: tables with INSERT statements have data, without a row count', () => {
    const script = SCRIPT.replace(/COPY public\.people[^]*?\\\.\n/, "INSERT INTO public.people VALUES ('a');\nINSERT INTO public.people VALUES ('b');\n");
    expect(scan(script).tables[0]).toEqual({ schema: 'public', name: 'people', hasData: true });
  });

  test('dumps before PostgreSQL 10.3 name tables under search_path, in the client encoding', () => {
    const old = Buffer.concat([
      Buffer.from("SET client_encoding = 'LATIN1';\nSET search_path = sch\u00e9ma, pg_catalog;\n\n-- Name: t\u00e2ble; Type: TABLE; Schema: sch\u00e9ma; Owner: x\n", 'latin1'),
      Buffer.from(
        'CREATE TABLE t\u00e2ble (v text);\n\n-- Data for Name: t\u00e2ble; Type: TABLE DATA; Schema: sch\u00e9ma; Owner: x\nCOPY t\u00e2ble (v) FROM stdin;\n1\n\\.\n\n-- PostgreSQL database dump complete\n',
        'latin1',
      ),
    ]);
    expect(scan(old)).toEqual({ tables: [{ schema: 'schéma', name: 'tâble', hasData: true, rows: 1 }], entryCount: 2 });
  });
});

describe('inspectPlain', () => {
  const work = mkdtempSync(join(tmpdir(), 'holdfast-plain-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const file = (name: string, content: Buffer | string) => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  test('gzip or not is decided by content, and a record that disagrees is refused', async () => {
    expect(await inspectPlain(file('a.sql', SCRIPT), false)).toEqual({ compression: 'none', tables: TABLES, entryCount: 6 });
    expect(await inspectPlain(file('a.sql.gz', gzipSync(SCRIPT)), undefined)).toEqual({ compression: 'gzip', tables: TABLES, entryCount: 6 });
    // "-Z0 -f x.sql.gz" writes plain text under a .gz name
    const plainGz = file('b.sql.gz', SCRIPT);
    await expect(inspectPlain(plainGz, true)).rejects.toThrow(`${plainGz} is not gzip-compressed but was recorded as gzip: a restore would fail to decompress it`);
    const gz = file('c.sql', gzipSync(SCRIPT));
    await expect(inspectPlain(gz, false)).rejects.toThrow(`${gz} is gzip-compressed but was recorded as uncompressed: a restore would feed compressed bytes to psql`);
  });

  test('a broken gzip stream, zstd data or an archive are refused', async () => {
    const gz = gzipSync(SCRIPT);
    const broken = file('d.sql.gz', gz.subarray(0, gz.length - 10));
    await expect(inspectPlain(broken, true)).rejects.toThrow(
      new RegExp(`^the gzip stream of ${broken} is broken after \\d+ uncompressed bytes \\(unexpected end of file\\): the dump is truncated or corrupt$`),
    );
    const zst = file('e.sql.zst', zstdFrame([Buffer.from('SET x = 1;\n')]));
    await expect(inspectPlain(zst, undefined)).rejects.toThrow(
      `${zst} is zstd-compressed data, which Node 20 cannot decompress, so its completeness cannot be checked: dump plain SQL with gzip (-Z 1..9) or uncompressed`,
    );
    const custom = file('f.dump', buildArchive({ format: 'custom', items: table('public', 'people', 10) }));
    await expect(inspectPlain(custom, undefined)).rejects.toThrow(`${custom} is a pg_dump custom-format archive, not a plain SQL dump`);
  });
});
