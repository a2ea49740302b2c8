// `holdfast import`: dumps made elsewhere by a real pg_dump 15 (from the shop database of a server
// this suite starts) and by pg_dump 18 (the fixtures), imported, then verified, restored and pruned
// like any backup; and every bad input refused with nothing left behind.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deflateSync } from 'node:zlib';
import { readCustomToc } from '../main/core/archive/custom.ts';
import { buildArchive, copyData, ENCODING } from '../main/core/archive/test-support.ts';
import { backupFilename } from '../main/core/backup/naming.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { HoldfastError } from '../main/core/model/errors.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, rowCount, runCli, type TestHome } from './support/holdfast-env.ts';

const PG18 = resolve(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'pg18');

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
/** Where the dumps "made elsewhere" are: outside BACKUP_DIR, as a DBA's download folder would be. */
let elsewhere: string;
let backupDir: string;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function pgDump(args: string[]): void {
  execFileSync(join(server.binDir, 'pg_dump'), [...args, '-h', server.host, '-p', String(server.port), '-U', server.user, 'shop'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Everything that would show a refused import left something: BACKUP_DIR's names, the backups and the runs. */
function traces() {
  return {
    files: existsSync(backupDir) ? readdirSync(backupDir).sort() : [],
    backups: holdfast.catalogue.listBackups({}).length,
    runs: holdfast.catalogue.db.prepare('SELECT COUNT(*) FROM runs').pluck().get(),
  };
}

async function expectRefused(file: string, code: string, message: RegExp): Promise<void> {
  const before = traces();
  await expect(holdfast.importDump({ file, profile: 'shop' })).rejects.toMatchObject({ code, message: expect.stringMatching(message), hint: expect.any(String) });
  expect(traces()).toEqual(before);
}

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(300));
  backupDir = holdfast.config.backupDir;
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-elsewhere-'));
  pgDump(['-Fc', '-f', join(elsewhere, 'shop.dump')]);
  pgDump(['-Ft', '-f', join(elsewhere, 'shop.tar')]);
  pgDump(['-Fd', '-f', join(elsewhere, 'shop-dir')]);
  pgDump(['-Fp', '-f', join(elsewhere, 'shop.sql')]);
  pgDump(['-Fp', '-Z', '6', '-f', join(elsewhere, 'shop.sql.gz')]);
}, 120_000);

afterAll(async () => {
  rmSync(elsewhere, { recursive: true, force: true });
  await closeShop({ server, home, holdfast });
});

describe('importing pg_dump 15 output in every format', () => {
  test.each([
    ['shop.dump', 'custom', /\.dump$/],
    ['shop.tar', 'tar', /\.tar$/],
    ['shop-dir', 'directory', /\.dir$/],
    ['shop.sql', 'plain', /\.sql$/],
    ['shop.sql.gz', 'plain', /\.sql\.gz$/],
  ] as const)('%s: copied, checked, catalogued as imported and pinned; verify passes; the original is untouched', async (name, format, extension) => {
    const original = join(elsewhere, name);
    const before = format === 'directory' ? sha256(join(original, 'toc.dat')) : sha256(original);
    const backup = await holdfast.importDump({ file: original, profile: 'shop' });
    // A plain script made without --create names no database: not known, never the profile's.
    expect(backup).toMatchObject({ format, profile: 'shop', database: format === 'plain' ? null : 'shop', status: 'completed', pinned: true, imported: { from: original } });
    expect(backup.filename).toMatch(/^backup-.*-shop-imported\./);
    expect(backup.filename).toMatch(extension);
    expect(backup.clientVersion).toMatch(/^pg_dump 15\.\d+$/);
    expect(backup.version).toMatch(/^PostgreSQL 15\.\d+$/);
    expect(backup.serverMajor).toBe(15);
    expect(backup.tables).toEqual(expect.arrayContaining(['public.users', 'public.orders']));
    if (format === 'plain' || format === 'custom') expect(backup.rowCounts).toMatchObject({ 'public.users': 300, 'public.orders': 600 });
    if (format !== 'plain') expect(backup.pgRestore).toMatchObject({ status: 'ok' });
    // Copied, never moved: the original is where it was, unchanged; the copy has its sidecar.
    expect(format === 'directory' ? sha256(join(original, 'toc.dat')) : sha256(original)).toBe(before);
    expect(backup.path).toBe(join(backupDir, backup.filename));
    expect(JSON.parse(readFileSync(`${backup.path}.json`, 'utf8'))).toMatchObject({ id: backup.id, imported: { from: original } });
    expect(statSync(backup.path).mode & 0o777).toBe(format === 'directory' ? 0o700 : 0o600);
    // Listed as imported, and verify reads it like any backup.
    expect(holdfast.list({ profile: 'shop', fields: 'summary' })).toContainEqual(expect.objectContaining({ id: backup.id, imported: true, pinned: true }));
    const verified = await holdfast.verify(backup.id);
    expect(verified.checks.filter((check) => check.status === 'failed')).toEqual([]);
    expect(verified.valid).toBe(true);
  });

  test('an imported custom dump restores into a new database with every row', async () => {
    const backup = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.imported && b.format === 'custom')!;
    const result = await holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'shop_from_import', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false });
    expect(result.ok).toBe(true);
    expect(await rowCount(server, 'shop_from_import', 'users')).toBe(300);
    expect(await rowCount(server, 'shop_from_import', 'orders')).toBe(600);
  });

  test('an imported dump has no roles file, and what it says to do instead is what its format takes: --no-owner for an archive, never for a plain script (psql refuses it)', async () => {
    const imported = holdfast.catalogue.listBackups({ profile: 'shop' }).filter((b) => b.imported);
    const plain = imported.find((b) => b.format === 'plain')!;
    const custom = imported.find((b) => b.format === 'custom')!;
    expect(custom.globals.note).toMatch(/--no-owner/);
    expect(plain.globals.note).toMatch(/Create its roles on the target before restoring/);
    expect(plain.globals.note).not.toMatch(/restore with --no-owner/);
    // Holdfast's own restore refuses --no-owner for it: the hint names a step that exists, not a .globals.sql it never had.
    const noOwner = holdfast.restore({ ref: plain.id, to: 'shop', dbname: 'shop_plain_no_owner', create: true, clean: false, noOwner: true, noAcl: false, dryRun: true });
    await expect(noOwner).rejects.toMatchObject({ code: 'BAD_INPUT', hint: expect.stringMatching(/create the roles it names on the target first/i) });
    await expect(noOwner).rejects.not.toMatchObject({ hint: expect.stringMatching(/globals/) });
    const preview = await holdfast.restore({ ref: plain.id, to: 'shop', dbname: 'shop_plain_preview', create: true, clean: false, noOwner: false, noAcl: false, dryRun: true });
    const rolesWarning = preview.impact.warnings.find((warning) => warning.includes('roles it needs'));
    expect(rolesWarning).toMatch(/has no roles file.*create them on the target first/);
    expect(preview.impact.warnings.join('\n')).not.toMatch(/globals\.sql/);
  });

  test('an imported plain dump passes a restore drill, its rows compared with the counts its COPY blocks gave', async () => {
    const backup = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.imported && b.format === 'plain' && b.compression === 'none')!;
    const drill = await holdfast.testRestore(backup.id);
    expect(drill.ok).toBe(true);
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest?.status).toBe('passed');
  }, 180_000);

  test('an imported custom archive passes a drill that compares its rows with the counts its COPY data gave (the import inflated it)', async () => {
    const backup = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.imported && b.format === 'custom')!;
    expect(backup.rowCounts).toMatchObject({ 'public.users': 300, 'public.orders': 600 });
    const drill = await holdfast.testRestore(backup.id);
    expect(drill.ok).toBe(true);
    expect(drill.tables).toEqual(expect.arrayContaining([expect.objectContaining({ table: 'public.users', expected: 300, actual: 300 })]));
    expect(drill.tables.filter((t) => t.actual !== t.expected)).toEqual([]);
  }, 180_000);

  test('an imported tar archive passes a drill that says its rows were not compared: the archive carries no counts to compare with', async () => {
    const backup = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.imported && b.format === 'tar')!;
    expect(backup.rowCounts).toEqual({});
    const drill = await holdfast.testRestore(backup.id);
    expect(drill.ok).toBe(true);
    expect(drill.tables).toEqual([]);
    expect(drill.notes).toContain(
      'No row counts were compared: the backup records none (an imported archive carries none), so this drill proves it restores, not that its rows match the database it came from.',
    );
  }, 180_000);

  test('retention never deletes an imported backup: it is pinned until the DBA unpins it', async () => {
    const taken = await holdfast.backup('shop', {});
    const imported = holdfast.catalogue.listBackups({ profile: 'shop' }).filter((b) => b.imported);
    const summary = await holdfast.cleanup({ profile: 'shop', policy: '1d', dryRun: true }, new Date(Date.now() + 400 * 86_400_000));
    const decisions = summary.profiles.flatMap((report) => report.decisions);
    expect(imported.length).toBeGreaterThanOrEqual(5);
    for (const backup of imported) expect(decisions).toContainEqual(expect.objectContaining({ id: backup.id, action: 'keep', reasons: ['pinned'] }));
    // The backup Holdfast took is the policy's to weigh, as before.
    expect(decisions).toContainEqual(expect.objectContaining({ id: taken.id, action: 'keep', reasons: expect.arrayContaining(['newest good full backup of the profile']) }));
  });

  test('the same dump twice is refused, naming the backup it already is', async () => {
    const first = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.imported && b.format === 'tar')!;
    const again = join(elsewhere, 'again', 'shop.tar');
    mkdirSync(join(elsewhere, 'again'));
    copyFileSync(join(elsewhere, 'shop.tar'), again);
    await expectRefused(again, 'CONFLICT', new RegExp(`already in the catalogue as ${first.filename}`));
    // Where to find it, in the words of the shell that asked: the app's Import… dialog names no command.
    const refusal = await holdfast.importDump({ file: again, profile: 'shop' }).catch((error: HoldfastError) => error.toInfo());
    expect(refusal).toMatchObject({ hint: `Use ${first.filename} instead. Run holdfast list to find it.`, appHint: `Use ${first.filename} instead. See the Backups page to find it.` });
  });

  test('the same file imported again is named as the backup it already is, not as "a dump modified at the same moment"', async () => {
    const first = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.imported && b.format === 'custom' && b.imported.from === join(elsewhere, 'shop.dump'))!;
    await expectRefused(join(elsewhere, 'shop.dump'), 'CONFLICT', new RegExp(`^${join(elsewhere, 'shop.dump')} is already in the catalogue as ${first.filename}: the same bytes`));
  });

  test('a dump whose file claims a future modification time is stamped when it was imported: it never stays the newest backup for years', async () => {
    const future = join(elsewhere, 'future.dump');
    pgDump(['-Fc', '-Z', '1', '-f', future]);
    utimesSync(future, new Date('2099-01-01T00:00:00Z'), new Date('2099-01-01T00:00:00Z'));
    const before = Date.now();
    const backup = await holdfast.importDump({ file: future, profile: 'shop' });
    expect(Date.parse(backup.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(backup.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(backup.filename).not.toMatch(/2099/);
    // The profile does not look backed up until 2099.
    expect(holdfast.stats().profiles.find((profile) => profile.profile === 'shop')?.newestBackup).not.toMatch(/^2099/);
  });
  test('a dump imported, deleted and imported again is catalogued anew under a name of its own; the deleted one stays in the history under its name', async () => {
    const dump = join(elsewhere, 'deleted-then-again.dump');
    pgDump(['-Fc', '-Z', '3', '-f', dump]);
    const at = new Date('2023-03-03T03:03:03Z');
    utimesSync(dump, at, at);
    const first = await holdfast.importDump({ file: dump, profile: 'shop' });
    holdfast.catalogue.setBackupPinned(first.id, false);
    await holdfast.deleteBackup(first.id, first.filename);
    // The deleted row keeps the name the same modification time gives: the UNIQUE filename made this "a bug in Holdfast".
    const again = await holdfast.importDump({ file: dump, profile: 'shop' });
    expect(again).toMatchObject({ status: 'completed', pinned: true, imported: { from: dump } });
    expect(again.filename).not.toBe(first.filename);
    expect(again.filename).toMatch(/^backup-2023-03-03T03-03-03-000Z-shop-imported-2\.dump$/);
    expect(holdfast.catalogue.findBackup(first.filename)).toMatchObject({ id: first.id, status: 'deleted' });
    expect((await holdfast.verify(again.filename)).valid).toBe(true);
  });
});

describe('a dump from a newer pg_dump (18.3, the fixtures)', () => {
  test.each([
    ['custom-gzip.dump', 'custom'],
    ['plain.sql.gz', 'plain'],
  ] as const)('%s is imported with its versions recorded, and verify passes without a pg_restore 18', async (name, format) => {
    const file = join(elsewhere, `pg18-${name}`);
    copyFileSync(join(PG18, name), file);
    const backup = await holdfast.importDump({ file, profile: 'shop' });
    expect(backup).toMatchObject({ format, clientVersion: 'pg_dump 18.3', version: 'PostgreSQL 18.3', serverMajor: 18, imported: { from: file } });
    if (format === 'custom') expect(backup.pgRestore).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/18/) });
    const manifest = JSON.parse(readFileSync(join(PG18, 'manifest.json'), 'utf8')) as { rowCounts: Record<string, number> };
    // Every table's rows, as the fixture's manifest counted them (its materialized view is filled by REFRESH, not COPY).
    if (format === 'plain') expect(backup.rowCounts).toEqual(Object.fromEntries(Object.entries(manifest.rowCounts).filter(([table]) => backup.tables.includes(table))));
    const verified = await holdfast.verify(backup.id);
    expect(verified.valid).toBe(true);
  });
});

describe('bad inputs are refused with what is wrong and what to do, and leave nothing behind', () => {
  test("two dumps with one modification time, imported at once: the second is refused and the first one's copy is left alone", async () => {
    // Another import (this or another Holdfast) copying a dump stamped 2024-05-01 is mid-copy: its run holds the temp name.
    const at = new Date('2024-05-01T00:00:00Z');
    const tempPath = join(backupDir, `${backupFilename(at, 'shop', 'imported', 'dump')}.tmp`);
    writeFileSync(tempPath, 'half a copy');
    const other = holdfast.catalogue.startRun({ kind: 'backup', profile: 'shop', tempPath, detail: { importedFrom: '/elsewhere/other.dump' } });
    try {
      const second = join(elsewhere, 'same-moment.dump');
      pgDump(['-Fc', '-Z', '2', '-f', second]);
      utimesSync(second, at, at);
      await expect(holdfast.importDump({ file: second, profile: 'shop' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(readFileSync(tempPath, 'utf8')).toBe('half a copy');
      expect(holdfast.catalogue.db.prepare("SELECT COUNT(*) FROM runs WHERE status = 'running'").pluck().get()).toBe(1);
    } finally {
      holdfast.catalogue.finishRun(other, 'failed', { error: 'test' });
      rmSync(tempPath, { force: true });
    }
  });

  test('a missing file', async () => {
    await expectRefused(join(elsewhere, 'nope.dump'), 'NOT_FOUND', /nope\.dump does not exist/);
  });

  test('an empty file', async () => {
    writeFileSync(join(elsewhere, 'empty.dump'), '');
    await expectRefused(join(elsewhere, 'empty.dump'), 'BAD_INPUT', /is empty/);
  });

  test('a custom archive cut in half', async () => {
    const half = join(elsewhere, 'half.dump');
    copyFileSync(join(elsewhere, 'shop.dump'), half);
    truncateSync(half, Math.floor(statSync(half).size / 2));
    await expectRefused(half, 'BAD_INPUT', /not a complete custom-format dump/);
  });

  // Import walked a custom archive's blocks without inflating them: a table whose gzip data is damaged
  // passed import and verify ("Valid") and failed only at a restore, and one whose zlib stream is
  // followed by more bytes made pg_restore spin at full CPU until the restore's time limit (compress_io.c
  // asks zlib for more forever). The copy's data is inflated as a backup's is, and refused.
  test('a gzip custom archive whose table data does not inflate', async () => {
    const rotten = join(elsewhere, 'rotten.dump');
    const bytes = readFileSync(join(elsewhere, 'shop.dump'));
    const users = (await readCustomToc(join(elsewhere, 'shop.dump'))).entries.find((e) => e.desc === 'TABLE DATA' && e.namespace === 'public' && e.tag === 'users')!;
    // Block type, dump id (5 bytes), the first chunk's length (5 bytes), then zlib's output.
    bytes[users.dataPos! + 1 + 5 + 5 + 40]! ^= 0xff;
    writeFileSync(rotten, bytes);
    await expectRefused(rotten, 'BAD_INPUT', /not a complete custom-format dump: the compressed data of table public\.users .* cannot be inflated/);
  });

  test('a gzip custom archive with bytes after a table’s zlib stream ends (pg_restore would hang on it)', async () => {
    const trailed = join(elsewhere, 'trailed.dump');
    const data = deflateSync(copyData(['a', 'b']));
    const table = { dumpId: 10, desc: 'TABLE', tag: 't', namespace: 'public', defn: 'CREATE TABLE public.t (v text);\n' };
    writeFileSync(
      trailed,
      buildArchive({
        format: 'custom',
        minor: 14,
        compression: -1,
        items: [ENCODING, table, { dumpId: 11, desc: 'TABLE DATA', tag: 't', namespace: 'public', copyStmt: 'COPY public.t (v) FROM stdin;\n', chunks: [data, Buffer.from('after the end')] }],
      }),
    );
    await expectRefused(trailed, 'BAD_INPUT', /not a complete custom-format dump: the data of table public\.t .* goes on for 13 bytes after its compressed data ends/);
  });

  test('random bytes', async () => {
    writeFileSync(join(elsewhere, 'random.dump'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)));
    await expectRefused(join(elsewhere, 'random.dump'), 'BAD_INPUT', /not a pg_dump output: it looks like something else/);
  });

  test('a directory without toc.dat', async () => {
    mkdirSync(join(elsewhere, 'not-a-dump'));
    writeFileSync(join(elsewhere, 'not-a-dump', '3001.dat.gz'), 'x');
    await expectRefused(join(elsewhere, 'not-a-dump'), 'BAD_INPUT', /directory without toc\.dat/);
  });

  test('a file already inside BACKUP_DIR', async () => {
    const own = holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => b.format === 'custom')!;
    await expectRefused(own.path, 'BAD_INPUT', /is inside BACKUP_DIR/);
  });

  test('a symbolic link, even to a real dump, and one to a secret', async () => {
    const secret = join(elsewhere, 'shadow');
    writeFileSync(secret, 'root:$6$secret:19000:0:99999:7:::\n');
    chmodSync(secret, 0o600);
    symlinkSync(secret, join(elsewhere, 'innocent.dump'));
    symlinkSync(join(elsewhere, 'shop.dump'), join(elsewhere, 'link.dump'));
    await expectRefused(join(elsewhere, 'innocent.dump'), 'BAD_INPUT', /is a symbolic link/);
    await expectRefused(join(elsewhere, 'link.dump'), 'BAD_INPUT', /is a symbolic link/);
  });

  test('a name with a newline', async () => {
    const odd = join(elsewhere, 'shop\nevil.dump');
    copyFileSync(join(elsewhere, 'shop.dump'), odd);
    await expectRefused(odd, 'BAD_INPUT', /contains a control character/);
  });

  test('a pg_dumpall script, an age-encrypted file and a device', async () => {
    writeFileSync(join(elsewhere, 'cluster.sql'), '--\n-- PostgreSQL database cluster dump\n--\n\nSET default_transaction_read_only = off;\n');
    await expectRefused(join(elsewhere, 'cluster.sql'), 'BAD_INPUT', /pg_dumpall script of a whole cluster/);
    writeFileSync(join(elsewhere, 'shop.dump.age'), 'age-encryption.org/v1\n-> X25519 abc\nxyz\n--- abc\n\u0000\u0001');
    await expectRefused(join(elsewhere, 'shop.dump.age'), 'BAD_INPUT', /age-encrypted file/);
    await expectRefused('/dev/null', 'BAD_INPUT', /not a regular file/);
  });

  test('an unknown profile, and a whole-server profile (its backups are sets)', async () => {
    const before = traces();
    await expect(holdfast.importDump({ file: join(elsewhere, 'shop.dump'), profile: 'nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(traces()).toEqual(before);
    await holdfast.addProfile({ name: 'server', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: null } });
    await expect(holdfast.importDump({ file: join(elsewhere, 'shop.dump'), profile: 'server' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('backs up a whole server'),
      hint: expect.stringContaining('single-database profile'),
    });
    expect(traces()).toEqual(before);
  });

  test("a profile whose backups are encrypted: the dump is not kept in the clear beside them; the profile's explicit --no-encrypt imports it", async () => {
    await holdfast.keyring.generate('import-key');
    await holdfast.addProfile({ name: 'vault', host: server.host, port: server.port, user: server.user, dbname: 'shop', encryptTo: ['import-key'] });
    const file = join(elsewhere, 'vault.dump');
    pgDump(['-Fc', '-Z', '3', '-f', file]);
    const before = traces();
    await expect(holdfast.importDump({ file, profile: 'vault' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/encrypted.*in the clear/),
      hint: expect.any(String),
    });
    expect(traces()).toEqual(before);
    await holdfast.editProfile('vault', { encryptTo: 'none' });
    expect(await holdfast.importDump({ file, profile: 'vault' })).toMatchObject({ encrypted: false, profile: 'vault' });
  });
});

describe('the CLI', () => {
  test('holdfast import prints what it kept; a refused file exits 2 (bad input) with the hint', async () => {
    const file = join(elsewhere, 'cli', 'shop.sql.gz');
    mkdirSync(join(elsewhere, 'cli'));
    pgDump(['-Fp', '-Z', '1', '-f', file]);
    const ok = await runCli(['import', file, '--profile', 'shop'], home.env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Imported .*shop\.sql\.gz as backup-.*-shop-imported\.sql\.gz .*pinned/);
    // A plain script cannot be restored with --no-owner: the CLI says what the record says, not a step psql refuses.
    expect(ok.stdout).toMatch(/no roles file.*Create its roles on the target before restoring/);
    expect(ok.stdout).not.toMatch(/restore with --no-owner/);
    const bad = await runCli(['import', join(elsewhere, 'empty.dump'), '--profile', 'shop'], home.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is empty[\s\S]*Check that pg_dump finished/);
  });

  // The DBA review: a plain script of one database imported under a profile of another was listed
  // as the profile's database ("What no dump says is not made up").
  test("an imported plain script's database is the one it names (--create's \\connect), or not known; never the profile's", async () => {
    mkdirSync(join(elsewhere, 'named'));
    const silent = join(elsewhere, 'named', 'shop.sql');
    const named = join(elsewhere, 'named', 'shop-create.sql');
    pgDump(['-Fp', '-f', silent]);
    pgDump(['-Fp', '--create', '-f', named]);
    const added = await runCli(['profile', 'add', 'inv', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'inventory_main'], home.env);
    expect(added.code, added.stderr).toBe(0);
    for (const file of [silent, named]) expect((await runCli(['import', file, '--profile', 'inv'], home.env)).code).toBe(0);
    const listed = JSON.parse((await runCli(['list', 'inv', '--json'], home.env)).stdout) as Array<{ database: string | null; imported?: unknown }>;
    expect(new Set(listed.map((backup) => backup.database))).toEqual(new Set(['shop', null]));
    expect(JSON.stringify(listed)).not.toContain('inventory_main');
  });
});
