// inspectArchive() against real pg_dump output of every format, then against the same dumps damaged
// the ways backups really get damaged: cut short, files lost, not a dump at all.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, truncateSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inspectArchive, type ArchiveInspection, type ArchiveTable } from '../main/core/archive/inspect.ts';
import { cleanEnv } from './support/clean-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { requiredTools } from './support/required-tools.ts';

const run = promisify(execFile);

const WEIRD = 'x; $(touch /tmp/p)';
const UNICODE_SCHEMA = 'ünï €';
const UNICODE_TABLE = 'tâble ☃ 表';
// Half the rows are incompressible hex, so the table's data block fills most of every archive; the
// other half are rows whose text looks like dump syntax. In COPY text a backslash is doubled, so '\.' can never
// become the terminator line; the others are lines a naive parser would act on.
const TRICKY_ROWS = [
  '\\.',
  'COPY public.fake (a) FROM stdin;',
  'CREATE TABLE public.fake (',
  '-- Data for Name: fake; Type: TABLE DATA; Schema: public; Owner: postgres',
  '-- PostgreSQL database dump complete',
];

const FIXTURE = `
create schema "Odd Schema";
create schema "${UNICODE_SCHEMA}";
create table public.tricky (t text);
insert into public.tricky select case when g % 10 < 5 then (array[${TRICKY_ROWS.map((r) => `'${r.replace(/'/g, "''")}'`).join(', ')}])[g % 10 + 1] else md5(g::text) || md5((-g)::text) end from generate_series(1, 3000) g;
insert into public.tricky values ('-- PostgreSQL database dump complete');
create table public."${WEIRD}" (a int);
insert into public."${WEIRD}" values (1), (2);
create table "Odd Schema"."Mixed""Case Name" (v text);
insert into "Odd Schema"."Mixed""Case Name" values ('a'), ('b'), ('c');
create table "${UNICODE_SCHEMA}"."${UNICODE_TABLE}" (v text);
insert into "${UNICODE_SCHEMA}"."${UNICODE_TABLE}" values ('☃');
create table public.parted (id int, region text) partition by list (region);
create table public.parted_eu partition of public.parted for values in ('eu');
create table public.parted_us partition of public.parted for values in ('us');
insert into public.parted values (1, 'eu'), (2, 'us'), (3, 'us');
create table public.empty_one (x int);
create unlogged table public.unlogged_t (x int);
insert into public.unlogged_t values (42);
create view public.v as select 1 as one;
select lo_from_bytea(0, 'a large object');
`;

let server: PgServer;
let dir: string;
let pgBin: string;
const path = (name: string) => join(dir, name);

async function pgDump(args: string[]): Promise<void> {
  await run(join(pgBin, 'pg_dump'), ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', 'fixture', ...args]);
}

/** pg_dump -Fc into a pipe, so it cannot seek back and record data offsets in the TOC. */
async function pgDumpToPipe(target: string): Promise<void> {
  const child = spawn(join(pgBin, 'pg_dump'), ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', 'fixture', '-Fc'], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  await pipeline(child.stdout, createWriteStream(target));
  const code = await exited;
  if (code !== 0) throw new Error(`pg_dump exited with ${code}`);
}

beforeAll(async () => {
  server = await startPgServer();
  pgBin = existsSync(join(server.binDir, 'pg_dump')) ? server.binDir : '/usr/bin';
  dir = mkdtempSync(join(tmpdir(), 'holdfast-inspect-'));
  await server.query('create database fixture');
  await server.query(FIXTURE, 'fixture');
  await Promise.all([
    pgDump(['-Fc', '-f', path('c.dump')]),
    pgDump(['-Fc', '-Z', '0', '-f', path('c0.dump')]),
    pgDump(['-Fd', '-j', '2', '-f', path('d.dir')]),
    pgDump(['-Fd', '-Z', '0', '-f', path('d0.dir')]),
    pgDump(['-Ft', '-f', path('t.tar')]),
    pgDump(['-Fp', '-Z', '6', '-f', path('p.sql.gz')]),
    pgDump(['-Fp', '-f', path('p.sql')]),
    pgDumpToPipe(path('cpipe.dump')),
    pgDump(['-Fc', '--load-via-partition-root', '-f', path('cviaroot.dump')]),
  ]);
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ok(result: ArchiveInspection): Extract<ArchiveInspection, { ok: true }> {
  if (!result.ok) throw new Error(`expected a complete dump, got: ${result.problem}`);
  return result;
}

function problem(result: ArchiveInspection): string {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return (result as Extract<ArchiveInspection, { ok: false }>).problem;
}

/** TABLE entries and whether a TABLE DATA entry exists, as pg_restore --list reports them. */
async function restoreListTables(archive: string): Promise<string[]> {
  const { stdout } = await run(join(pgBin, 'pg_restore'), ['--list', archive]);
  const tables: string[] = [];
  const withData = new Set<string>();
  for (const line of stdout.split('\n')) {
    // "<id>; <tableoid> <oid> <desc> <schema> <tag> <owner>": names may hold spaces, the owner doesn't.
    const m = /^\d+; \d+ \d+ (TABLE DATA|TABLE(?! ATTACH )) (.*) postgres$/.exec(line);
    if (!m) continue;
    if (m[1] === 'TABLE') tables.push(m[2]!);
    else withData.add(m[2]!);
  }
  return tables.map((t) => `${t} ${withData.has(t)}`).sort();
}

const summary = (tables: ArchiveTable[]) => tables.map((t) => `${t.schema} ${t.name} ${t.hasData}`).sort();

function copyOf(source: string, name: string): string {
  cpSync(path(source), path(name), { recursive: true });
  return path(name);
}

function cut(source: string, name: string, length: number): string {
  const target = path(name);
  writeFileSync(target, readFileSync(path(source)).subarray(0, length));
  return target;
}

describe('complete dumps', () => {
  test.each([
    ['custom', 'c.dump', 'gzip'],
    ['custom', 'c0.dump', 'none'],
    ['custom', 'cpipe.dump', 'gzip'],
    ['tar', 't.tar', 'none'],
    ['directory', 'd.dir', 'gzip'],
    ['directory', 'd0.dir', 'none'],
  ] as const)('%s %s matches pg_restore --list', async (format, file, compression) => {
    const result = ok(await inspectArchive(path(file), format));
    expect(result.archiveVersion).toBe('1.14-0');
    expect(result.compression).toBe(compression);
    expect(result.entryCount).toBeGreaterThan(20);
    expect(summary(result.tables)).toEqual(await restoreListTables(path(file)));
  });

  test('data items: one per TABLE DATA entry with its dump id (as pg_restore --list shows it), loading into itself unless dumped --load-via-partition-root', async () => {
    const listed = (await run(join(pgBin, 'pg_restore'), ['--list', path('c.dump')])).stdout
      .split('\n')
      .map((line) => /^(\d+); \d+ \d+ TABLE DATA /.exec(line)?.[1])
      .filter((id) => id !== undefined)
      .map(Number);
    for (const [format, file] of [
      ['custom', 'c.dump'],
      ['directory', 'd.dir'],
      ['tar', 't.tar'],
    ] as const) {
      const items = ok(await inspectArchive(path(file), format)).dataItems ?? [];
      expect(
        items.every((item) => item.intoItself),
        file,
      ).toBe(true);
      expect(items.map((item) => [item.schema, item.name])).toEqual(
        expect.arrayContaining([
          ['public', WEIRD],
          ['Odd Schema', 'Mixed"Case Name'],
          [UNICODE_SCHEMA, UNICODE_TABLE],
          ['public', 'parted_eu'],
        ]),
      );
      if (format === 'custom') expect(items.map((item) => item.dumpId).sort()).toEqual(listed.sort());
    }
    const viaRoot = ok(await inspectArchive(path('cviaroot.dump'), 'custom')).dataItems ?? [];
    expect(
      viaRoot
        .filter((item) => !item.intoItself)
        .map((item) => item.name)
        .sort(),
    ).toEqual(['parted_eu', 'parted_us']);
  });

  test('names with quotes, spaces, shell syntax and unicode round-trip exactly', async () => {
    const names = (r: ArchiveInspection) => ok(r).tables.map((t) => [t.schema, t.name]);
    for (const [format, file] of [
      ['custom', 'c.dump'],
      ['tar', 't.tar'],
      ['directory', 'd.dir'],
      ['plain', 'p.sql'],
      ['plain', 'p.sql.gz'],
    ] as const) {
      const got = names(await inspectArchive(path(file), format));
      expect(got).toContainEqual(['public', WEIRD]);
      expect(got).toContainEqual(['Odd Schema', 'Mixed"Case Name']);
      expect(got).toContainEqual([UNICODE_SCHEMA, UNICODE_TABLE]);
    }
  });

  test.each([
    ['p.sql', 'none'],
    ['p.sql.gz', 'gzip'],
  ])('plain %s: same tables as the archive, row counts match count(*)', async (file, compression) => {
    const result = ok(await inspectArchive(path(file), 'plain'));
    expect(result.compression).toBe(compression);
    expect(summary(result.tables)).toEqual(summary(ok(await inspectArchive(path('c.dump'), 'custom')).tables));
    const qi = (s: string) => `"${s.replace(/"/g, '""')}"`;
    for (const t of result.tables) {
      if (!t.hasData) {
        expect(t.rows).toBeUndefined();
        continue;
      }
      const [row] = await server.query<{ n: number }>(`select count(*)::int as n from only ${qi(t.schema)}.${qi(t.name)}`, 'fixture');
      expect(t.rows, `${t.schema}.${t.name}`).toBe(row!.n);
    }
    expect(result.tables.find((t) => t.name === 'tricky')?.rows).toBe(3001);
  });

  test('the gzip hint must agree with the plain file content', async () => {
    ok(await inspectArchive(path('p.sql.gz'), 'plain', { gzip: true }));
    expect(problem(await inspectArchive(path('p.sql'), 'plain', { gzip: true }))).toMatch(/not gzip-compressed/);
    expect(problem(await inspectArchive(path('p.sql.gz'), 'plain', { gzip: false }))).toMatch(/is gzip-compressed/);
  });
});

describe('damaged dumps', () => {
  test.each(['custom', 'tar', 'plain'] as const)('an empty file is not a %s dump', async (format) => {
    writeFileSync(path(`empty-${format}`), '');
    expect(problem(await inspectArchive(path(`empty-${format}`), format))).toMatch(/empty \(0 bytes\)/);
  });

  test.each(['custom', 'tar', 'plain', 'directory'] as const)('a missing %s dump', async (format) => {
    expect(problem(await inspectArchive(path('no-such-dump'), format))).toMatch(/does not exist/);
  });

  test('an empty directory is not a directory dump', async () => {
    mkdirSync(path('empty-dir'));
    expect(problem(await inspectArchive(path('empty-dir'), 'directory'))).toMatch(/no toc\.dat/);
  });

  test.each(['c.dump', 'c0.dump'])('custom %s cut short anywhere is incomplete', async (file) => {
    const size = statSync(path(file)).size;
    expect(problem(await inspectArchive(cut(file, `${file}.h`, 20), 'custom'))).toMatch(/archive header ends at byte \d+ but the file has 20 bytes: the archive is truncated/);
    expect(problem(await inspectArchive(cut(file, `${file}.t`, 1000), 'custom'))).toMatch(/TOC entry \d+ of \d+ ends at byte \d+ but the file has 1000 bytes/);
    // The middle of the file is inside the big public.tricky block.
    expect(problem(await inspectArchive(cut(file, `${file}.m`, Math.floor(size / 2)), 'custom'))).toMatch(
      /data block for public\.tricky \(dump id \d+\) ends at byte \d+ but the file has \d+ bytes: the archive is truncated/,
    );
    expect(problem(await inspectArchive(cut(file, `${file}.l`, size - 1), 'custom'))).toMatch(/ends at byte \d+ but the file has \d+ bytes: the archive is truncated/);
  });

  test('a piped custom archive cut short is missing data', async () => {
    const size = statSync(path('cpipe.dump')).size;
    expect(problem(await inspectArchive(cut('cpipe.dump', 'cpipe.m', Math.floor(size / 2)), 'custom'))).toMatch(/public\.tricky.*truncated/);
    // Cut exactly where the file ends in an intact block: only the missing later blocks show it.
    const whole = ok(await inspectArchive(path('cpipe.dump'), 'custom'));
    expect(whole.tables.length).toBeGreaterThan(0);
    expect(problem(await inspectArchive(cut('cpipe.dump', 'cpipe.l', size - 1), 'custom'))).toMatch(/truncated/);
  });

  test('a tar archive cut short or missing its end blocks', async () => {
    const size = statSync(path('t.tar')).size;
    expect(problem(await inspectArchive(cut('t.tar', 't.m', Math.floor(size / 2)), 'tar'))).toMatch(/tar member \S+ ends at byte \d+ but the file has \d+ bytes: the archive is truncated/);
    expect(problem(await inspectArchive(cut('t.tar', 't.z', size - 512), 'tar'))).toMatch(/only one of its two end-of-archive blocks/);
    expect(problem(await inspectArchive(cut('t.tar', 't.e', size - 1024), 'tar'))).toMatch(/without its end-of-archive blocks/);
  });

  test('a directory dump with a lost, cut or emptied data file', async () => {
    const tricky = async (d: string) => {
      const files = readdirSync(path(d)).filter((f) => /^\d+\.dat/.test(f));
      // The biggest data file is public.tricky's.
      return files.sort((a, b) => statSync(join(path(d), b)).size - statSync(join(path(d), a)).size)[0]!;
    };
    const gz = await tricky('d.dir');
    const lost = copyOf('d.dir', 'd-lost');
    rmSync(join(lost, gz));
    expect(problem(await inspectArchive(lost, 'directory'))).toMatch(/data file \d+\.dat for table public\.tricky \(dump id \d+\) is missing/);

    const cutGz = copyOf('d.dir', 'd-cutgz');
    truncateSync(join(cutGz, gz), statSync(join(cutGz, gz)).size - 10);
    expect(problem(await inspectArchive(cutGz, 'directory'))).toMatch(/not a complete gzip stream \(unexpected end of file\)/);

    const plainFile = await tricky('d0.dir');
    const cutPlain = copyOf('d0.dir', 'd-cutplain');
    truncateSync(join(cutPlain, plainFile), statSync(join(cutPlain, plainFile)).size - 1);
    expect(problem(await inspectArchive(cutPlain, 'directory'))).toMatch(/does not end with the COPY terminator/);

    const noBlob = copyOf('d.dir', 'd-noblob');
    for (const f of readdirSync(noBlob)) if (f.startsWith('blob_')) rmSync(join(noBlob, f));
    expect(problem(await inspectArchive(noBlob, 'directory'))).toMatch(/large object \d+ is listed in blobs\.toc but blob_\d+\.dat is missing/);

    const cutToc = copyOf('d.dir', 'd-cuttoc');
    truncateSync(join(cutToc, 'toc.dat'), 300);
    expect(problem(await inspectArchive(cutToc, 'directory'))).toMatch(/toc\.dat is truncated/);
  });

  const compressors = requiredTools(['zstd', 'lz4']);

  // pg_dump 16+ writes these; this machine's pg_dump 15 cannot, so recompress its gzip files.
  test.skipIf(compressors.skip)('directory dumps with lz4 and zstd data files', async () => {
    compressors.check();
    for (const [tool, suffix] of [
      ['zstd', '.zst'],
      ['lz4', '.lz4'],
    ] as const) {
      const d = copyOf('d.dir', `d-${tool}`);
      for (const f of readdirSync(d).filter((n) => n.endsWith('.dat.gz'))) {
        const raw = join(d, f.slice(0, -3));
        const compress = tool === 'zstd' ? 'zstd -q "$2" -o "$2.zst"' : 'lz4 -q "$2" "$2.lz4"';
        await run('sh', ['-c', `gunzip -c "$1" > "$2" && ${compress} && rm "$1" "$2"`, 'sh', join(d, f), raw]);
      }
      ok(await inspectArchive(d, 'directory'));
      const biggest = readdirSync(d)
        .filter((n) => n.endsWith(suffix))
        .sort((a, b) => statSync(join(d, b)).size - statSync(join(d, a)).size)[0]!;
      truncateSync(join(d, biggest), Math.floor(statSync(join(d, biggest)).size / 2));
      expect(problem(await inspectArchive(d, 'directory'))).toMatch(new RegExp(`${biggest.replace('.', '\\.')} of table public\\.tricky .* is cut short`));
    }
  });

  test('a plain dump cut short, inside COPY data, or without its trailer', async () => {
    const gzSize = statSync(path('p.sql.gz')).size;
    expect(problem(await inspectArchive(cut('p.sql.gz', 'p-cut.sql.gz', Math.floor(gzSize / 2)), 'plain'))).toMatch(/gzip stream .* is broken .*unexpected end of file.*truncated/);

    const text = readFileSync(path('p.sql'));
    // Right after the data row that reads exactly like the trailer: still inside the COPY block.
    const fake = text.indexOf('-- PostgreSQL database dump complete\n\\.\n');
    expect(fake).toBeGreaterThan(0);
    writeFileSync(path('p-fake.sql'), text.subarray(0, fake + '-- PostgreSQL database dump complete\n'.length));
    expect(problem(await inspectArchive(path('p-fake.sql'), 'plain'))).toMatch(/ends inside the COPY data for public\.tricky after 3001 rows/);

    const trailer = text.lastIndexOf('--\n-- PostgreSQL database dump complete');
    writeFileSync(path('p-notrailer.sql'), text.subarray(0, trailer));
    expect(problem(await inspectArchive(path('p-notrailer.sql'), 'plain'))).toMatch(/does not end with the "-- PostgreSQL database dump complete" trailer/);

    const unrestrict = text.lastIndexOf('\\unrestrict ');
    writeFileSync(path('p-norestrict.sql'), text.subarray(0, unrestrict));
    expect(problem(await inspectArchive(path('p-norestrict.sql'), 'plain'))).toMatch(/before the closing \\unrestrict line/);

    writeFileSync(path('p-half.sql'), text.subarray(0, Math.floor(text.length / 2)));
    expect(problem(await inspectArchive(path('p-half.sql'), 'plain'))).toMatch(/ends inside the COPY data for public\.tricky/);
  });

  test('files that are not dumps at all', async () => {
    writeFileSync(path('notes.txt'), 'just some notes\nnothing to see\n');
    writeFileSync(path('image.bin'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    for (const file of ['notes.txt', 'image.bin']) {
      expect(problem(await inspectArchive(path(file), 'custom'))).toMatch(/not a pg_dump custom-format archive/);
      expect(problem(await inspectArchive(path(file), 'tar'))).toMatch(/less than one tar header|not a tar archive/);
      expect(problem(await inspectArchive(path(file), 'plain'))).toMatch(/does not end with the .* trailer/);
      expect(problem(await inspectArchive(path(file), 'directory'))).toMatch(/is a file, not a directory/);
    }
    expect(problem(await inspectArchive(path('t.tar'), 'custom'))).toMatch(/looks like a tar archive/);
    expect(problem(await inspectArchive(path('c.dump'), 'tar'))).toMatch(/looks like a pg_dump custom-format archive/);
    expect(problem(await inspectArchive(path('c.dump'), 'plain'))).toMatch(/custom-format archive, not a plain SQL dump/);
    expect(problem(await inspectArchive(join(path('d.dir'), 'toc.dat'), 'custom'))).toMatch(/TOC of a tar or directory dump/);
    expect(problem(await inspectArchive(path('d.dir'), 'custom'))).toMatch(/is a directory/);
  });
});

// Only archive 1.14 can be made on this machine, so the layouts of the other versions PostgreSQL
// 13–18 write are checked with archives assembled here, byte by byte, as WriteHead()/WriteToc() do.
describe('archive versions 1.12–1.16', () => {
  const int = (v: number) => {
    const b = Buffer.alloc(5);
    b[0] = v < 0 ? 1 : 0;
    b.writeUInt32LE(Math.abs(v), 1);
    return b;
  };
  const str = (s: string | null) => (s === null ? int(-1) : Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]));
  const offset = (flag: number, pos: number) => {
    const b = Buffer.alloc(9);
    b[0] = flag;
    b.writeBigUInt64LE(BigInt(pos), 1);
    return b;
  };

  function archive(minor: number, options: { relkind?: boolean; dataPos?: number; rows?: string[] } = {}): Buffer {
    const relkind = options.relkind ?? minor >= 16;
    const header = Buffer.concat([
      Buffer.from('PGDMP'),
      Buffer.from([1, minor, 0, 4, 8, 1]),
      minor >= 15 ? Buffer.from([2]) : int(-1),
      ...[0, 0, 12, 1, 0, 124, 0].map(int),
      str('db'),
      str('17.0'),
      str('17.0'),
    ]);
    const entry = (id: number, dumper: boolean, tag: string, desc: string, ns: string | null, copy: string | null, deps: number[], off: Buffer) =>
      Buffer.concat([
        int(id),
        int(dumper ? 1 : 0),
        str('0'),
        str('0'),
        str(tag),
        str(desc),
        int(desc === 'TABLE DATA' ? 3 : 2),
        str(desc === 'ENCODING' ? "SET client_encoding = 'UTF8';\n" : ''),
        str(''),
        str(copy),
        str(ns),
        str(''),
        ...(minor >= 14 ? [str(desc === 'TABLE' ? 'heap' : null)] : []),
        ...(relkind ? [int(desc === 'TABLE' ? 'r'.charCodeAt(0) : 0)] : []),
        str('postgres'),
        str('false'),
        ...deps.map((d) => str(String(d))),
        str(null),
        off,
      ]);
    const toc = (dataPos: number) =>
      Buffer.concat([
        int(3),
        entry(1, false, 'ENCODING', 'ENCODING', null, null, [], offset(3, 0)),
        entry(2, false, 'tâble ☃', 'TABLE', 'sch"ema', null, [], offset(3, 0)),
        entry(3, true, 'tâble ☃', 'TABLE DATA', 'sch"ema', 'COPY "sch""ema"."tâble ☃" (a) FROM stdin;\n', [2], offset(2, dataPos)),
      ]);
    const start = header.length + toc(0).length;
    const rows = Buffer.from((options.rows ?? ['1', '2']).join('\n') + '\n\\.\n\n\n');
    const data = Buffer.concat([Buffer.from([1]), int(3), int(rows.length), rows, int(0)]);
    return Buffer.concat([header, toc(options.dataPos ?? start), data]);
  }

  test.each([12, 13, 14, 15, 16])('archive 1.%i', async (minor) => {
    writeFileSync(path(`v${minor}.dump`), archive(minor));
    const result = ok(await inspectArchive(path(`v${minor}.dump`), 'custom'));
    expect(result.archiveVersion).toBe(`1.${minor}-0`);
    expect(result.compression).toBe(minor >= 15 ? 'lz4' : 'gzip');
    expect(result.tables).toEqual([{ schema: 'sch"ema', name: 'tâble ☃', hasData: true }]);
    expect(result.entryCount).toBe(3);
    const whole = archive(minor);
    writeFileSync(path(`v${minor}-cut.dump`), whole.subarray(0, whole.length - 3));
    expect(problem(await inspectArchive(path(`v${minor}-cut.dump`), 'custom'))).toMatch(/data block for "sch""ema"\."tâble ☃" \(dump id 3\) ends at byte \d+ but the file has \d+ bytes/);
  });

  test('archive 1.16 written without the relkind field is still read', async () => {
    writeFileSync(path('v16-norelkind.dump'), archive(16, { relkind: false }));
    expect(ok(await inspectArchive(path('v16-norelkind.dump'), 'custom')).tables).toHaveLength(1);
  });

  test('a data offset past the end, or pointing at another block, is reported', async () => {
    writeFileSync(path('v14-far.dump'), archive(14, { dataPos: 1_000_000 }));
    expect(problem(await inspectArchive(path('v14-far.dump'), 'custom'))).toMatch(/should start at byte 1000000 but the file has \d+ bytes/);
    const good = archive(14);
    const corrupt = Buffer.from(good);
    const blockAt = good.length - (1 + 5 + 5 + Buffer.byteLength('1\n2\n\\.\n\n\n') + 5);
    corrupt[blockAt + 1 + 1] = 9; // dump id 3 becomes 9
    writeFileSync(path('v14-wrongid.dump'), corrupt);
    expect(problem(await inspectArchive(path('v14-wrongid.dump'), 'custom'))).toMatch(/holds a data block for dump id 9 where the TOC expects/);
  });

  test('an archive version newer than 1.16 is refused rather than guessed at', async () => {
    const future = archive(16);
    future[6] = 17;
    writeFileSync(path('v17.dump'), future);
    expect(problem(await inspectArchive(path('v17.dump'), 'custom'))).toMatch(/archive version 1\.17-0 is outside the 1\.0–1\.16 range/);
  });
});
