// Every way a backup can go wrong must end as a failed run with the reason, no file under a final
// name, no temp file left, and nothing already stored touched.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../main/core/config/config.ts';
import { Holdfast } from '../main/core/holdfast.ts';
import { childRecordOf } from '../main/core/process/child.ts';
import { asRoot, fillUp, mountTmpfs } from './support/full-disk.ts';
import { noKeychain } from './support/no-keychain.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { closeShop, makeHome, openShop, processesMatching, profileFor, rowCount, runCli, startCli, type TestHome, waitFor } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(500));
});

afterAll(() => closeShop({ server, home, holdfast }));

function backupDirEntries(h: TestHome = home): string[] {
  const dir = join(h.home, 'backups');
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function waitingDumpBackend(): Promise<number> {
  return waitFor('pg_dump to block on the lock', async () => {
    const rows = await server.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'shop' AND query ILIKE 'LOCK TABLE%'`);
    return rows[0]?.pid;
  });
}

function lastRun(h: Holdfast = holdfast) {
  const runs = h.catalogue.listRuns({ kind: 'backup' });
  return runs[runs.length - 1]!;
}

describe('a dump that dies', () => {
  test('pg_dump killed with SIGKILL mid-dump: failed run, no file, no temp', async () => {
    const lock = await server.lockTable('shop', 'users');
    try {
      const before = backupDirEntries();
      const pending = holdfast.backup('shop', { suffix: 'killed' });
      await waitingDumpBackend();
      const [pid] = processesMatching('-shop-killed.dump.tmp').filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/'));
      expect(pid).toBeGreaterThan(0);
      process.kill(pid!, 'SIGKILL');
      await expect(pending).rejects.toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringContaining('SIGKILL') });
      expect(backupDirEntries()).toEqual(before);
      expect(lastRun()).toMatchObject({ status: 'failed', error: expect.stringContaining('SIGKILL') });
    } finally {
      await lock.end();
    }
  });

  test("backend terminated with pg_terminate_backend: failed with the server's message", async () => {
    const lock = await server.lockTable('shop', 'users');
    try {
      // The expectation is attached before the termination, so the rejection is never unhandled.
      const failed = expect(holdfast.backup('shop', { suffix: 'terminated' })).rejects.toMatchObject({
        code: 'BACKUP_FAILED',
        message: expect.stringMatching(/terminating connection due to administrator command|server closed the connection/),
      });
      const backendPid = await waitingDumpBackend();
      await server.query(`SELECT pg_terminate_backend(${backendPid})`);
      await failed;
      expect(backupDirEntries().filter((f) => f.includes('terminated'))).toEqual([]);
    } finally {
      await lock.end();
    }
  });

  test("BACKUP_TIMEOUT_SECONDS ends the dump's process group and removes the temp file", async () => {
    const lock = await server.lockTable('shop', 'users');
    const timed = await home.open({ BACKUP_TIMEOUT_SECONDS: '1' });
    try {
      await expect(timed.backup('shop', { suffix: 'timeout' })).rejects.toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringContaining('timed out after 1 s') });
      expect(backupDirEntries().filter((f) => f.includes('timeout'))).toEqual([]);
      await waitFor('the killed pg_dump to be gone', () => (processesMatching('-shop-timeout.dump.tmp').length === 0 ? true : undefined));
    } finally {
      timed.close();
      await lock.end();
    }
  });

  test('BACKUP_MAX_SIZE_MB aborts a dump that grows past it', async () => {
    await server.query(`CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS filler FROM generate_series(1, 400000) g`, 'shop');
    const limited = await home.open({ BACKUP_MAX_SIZE_MB: '0.05' });
    try {
      await expect(limited.backup('shop', { suffix: 'toobig', compression: { method: 'none' } })).rejects.toMatchObject({
        code: 'BACKUP_FAILED',
        message: expect.stringContaining('BACKUP_MAX_SIZE_MB'),
      });
      expect(backupDirEntries().filter((f) => f.includes('toobig'))).toEqual([]);
    } finally {
      limited.close();
      await server.query('DROP TABLE big', 'shop');
    }
  });

  test('Holdfast itself killed mid-backup: the next start marks the run interrupted and removes the temp file', async () => {
    const crashHome = makeHome();
    try {
      const setup = await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], crashHome.env);
      expect(setup.code).toBe(0);
      const lock = await server.lockTable('shop', 'users');
      try {
        const cli = startCli(['backup', 'shop', '--suffix', 'crash'], crashHome.env);
        await waitingDumpBackend();
        expect(backupDirEntries(crashHome).some((f) => f.endsWith('-crash.dump.tmp'))).toBe(true);
        cli.kill('SIGKILL');
        await new Promise((r) => cli.once('close', r));
        // pg_dump dies with the Holdfast that started it (its lifeline), still blocked on the lock.
        await waitFor('pg_dump to die with its Holdfast', () => (processesMatching('-shop-crash.dump.tmp').length === 0 ? true : undefined));
      } finally {
        await lock.end();
      }
      const listed = await runCli(['list', '--all', '--json'], crashHome.env);
      expect(listed.code).toBe(0);
      expect(listed.stderr).toContain('interrupted');
      // Its file was never written (only its temp, now removed): the run names none (DBA review).
      const entries = JSON.parse(listed.stdout) as Array<{ status: string; filename: string | null }>;
      expect(entries).toEqual([expect.objectContaining({ status: 'interrupted', filename: null })]);
      expect(backupDirEntries(crashHome).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      crashHome.cleanup();
    }
  });
});

describe('a restarted Holdfast with the same pid', () => {
  test("a run left running by a predecessor with our pid (a container's PID 1) is interrupted at start, not trusted as live", async () => {
    const runId = holdfast.catalogue.startRun({ kind: 'backup', profile: 'shop', tempPath: join(home.home, 'backups', 'backup-x-shop.dump.tmp') });
    holdfast.catalogue.db.prepare('UPDATE runs SET owner_token = ? WHERE id = ?').run('0badf00d', runId);
    expect(holdfast.isProfileBusy('shop')).toBe(false);
    const reopened = await home.open();
    try {
      expect(reopened.catalogue.getRun(runId)).toMatchObject({ status: 'interrupted' });
    } finally {
      reopened.close();
    }
  });
});

describe('a pg_dump that outlives its Holdfast', () => {
  /** A stand-in for an orphaned pg_dump: appends to the temp file until killed, recreating it if removed. */
  function writer(path: string): ChildProcess {
    return spawn(process.execPath, ['-e', `const fs = require('node:fs'); setInterval(() => fs.appendFileSync(${JSON.stringify(path)}, 'x'), 5)`], { detached: true, stdio: 'ignore' });
  }

  test("holds its profile's lock while it lives; the next start ends it (and only it: not a process that reuses a recorded pid) before removing its temp file", async () => {
    const temp = join(home.home, 'backups', 'backup-orphan-shop.dump.tmp');
    mkdirSync(dirname(temp), { recursive: true });
    const runId = holdfast.catalogue.startRun({ kind: 'backup', profile: 'shop', tempPath: temp });
    // The Holdfast that started the run is gone (another token), its pg_dump is not.
    holdfast.catalogue.db.prepare('UPDATE runs SET owner_token = ? WHERE id = ?').run('0badf00d', runId);
    const orphan = writer(temp);
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    const orphanExit = new Promise<NodeJS.Signals | null>((r) => orphan.once('exit', (_code, signal) => r(signal)));
    try {
      await waitFor('the orphan to write', () => existsSync(temp) || undefined);
      holdfast.catalogue.recordChild(runId, childRecordOf(orphan.pid!));
      // The bystander's pid with another start: a pid the kernel gave to someone else since.
      holdfast.catalogue.recordChild(runId, { ...childRecordOf(bystander.pid!), startToken: 'boot:1' });

      expect(holdfast.isProfileBusy('shop')).toBe(true);
      await expect(holdfast.backup('shop', { suffix: 'beside' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`pid ${orphan.pid}`) });
      expect(backupDirEntries().filter((f) => f.includes('beside'))).toEqual([]);

      const { holdfast: reopened, reconciled } = await Holdfast.open(loadConfig(home.env), { secrets: noKeychain });
      try {
        expect(reconciled.endedProcesses).toEqual([{ run: runId, pid: orphan.pid }]);
        expect(await orphanExit).toBe('SIGKILL');
        expect(existsSync(temp)).toBe(false);
        expect(bystander.exitCode === null && bystander.signalCode === null).toBe(true);
        expect(reopened.catalogue.getRun(runId)).toMatchObject({ status: 'interrupted' });
        expect(reopened.isProfileBusy('shop')).toBe(false);
      } finally {
        reopened.close();
      }
    } finally {
      orphan.kill('SIGKILL');
      bystander.kill('SIGKILL');
    }
  });
});

describe('Holdfast killed while a backup is sealed', () => {
  async function crashHomeWithShop(): Promise<TestHome> {
    const crashHome = makeHome();
    const setup = await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], crashHome.env);
    expect(setup.code).toBe(0);
    return crashHome;
  }

  test.each(['backup:sealing-recorded', 'backup:renamed', 'backup:globals-renamed', 'backup:sidecar-written'])(
    'SIGKILLed at %s: the next start finishes the backup from the recorded metadata (row, sidecar, roles file; verify passes) and says so',
    async (step) => {
      const crashHome = await crashHomeWithShop();
      try {
        const killed = await runCli(['backup', 'shop', '--suffix', 'sealed'], { ...crashHome.env, HOLDFAST_TEST_CRASH_AT: step });
        expect(killed.code, killed.stderr).toBeNull();
        const { holdfast: reopened, reconciled } = await Holdfast.open(loadConfig(crashHome.env), { secrets: noKeychain });
        try {
          const backups = reopened.catalogue.listBackups();
          expect(backups).toEqual([expect.objectContaining({ status: 'completed', filename: expect.stringMatching(/-shop-sealed\.dump$/) })]);
          const backup = backups[0]!;
          expect(reconciled.finishedBackups).toEqual([backup.filename]);
          expect(reconciled.interruptedRuns).toEqual([]);
          expect(backupDirEntries(crashHome).sort()).toEqual([backup.filename, `${backup.filename}.globals.sql`, `${backup.filename}.json`]);
          expect(JSON.parse(readFileSync(`${backup.path}.json`, 'utf8'))).toMatchObject({ id: backup.id, checksum: backup.checksum, globals: backup.globals });
          expect(lastRun(reopened)).toMatchObject({ status: 'completed', backupId: backup.id, detail: expect.objectContaining({ finishedAtStart: expect.stringContaining('stopped') }) });
          expect((await reopened.verify(backup.id)).valid).toBe(true);
        } finally {
          reopened.close();
        }
        const listed = await runCli(['list', '--json'], crashHome.env);
        expect(listed.stderr).not.toContain('interrupted');
      } finally {
        crashHome.cleanup();
      }
    },
  );

  test.each(['backup:sealing-recorded', 'backup:renamed', 'backup:globals-renamed', 'backup:sidecar-written'])(
    'an encrypted backup SIGKILLed at %s: the next start finishes it, and the file is exactly its recorded checksum and decrypts (Debian age) to a readable archive',
    async (step) => {
      const keyDir = mkdtempSync(join(tmpdir(), 'holdfast-crash-age-'));
      const keyFile = join(keyDir, 'key.txt');
      execFileSync('age-keygen', ['-o', keyFile], { stdio: 'pipe' });
      const recipient = /# public key: (\S+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;
      const crashHome = makeHome({ BACKUP_ENCRYPTION_KEY: recipient });
      try {
        expect((await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], crashHome.env)).code).toBe(0);
        const killed = await runCli(['backup', 'shop', '--suffix', 'sealed'], { ...crashHome.env, HOLDFAST_TEST_CRASH_AT: step });
        expect(killed.code, killed.stderr).toBeNull();
        const { holdfast: reopened, reconciled } = await Holdfast.open(loadConfig(crashHome.env), { secrets: noKeychain });
        try {
          const [backup, ...others] = reopened.catalogue.listBackups();
          expect(others).toEqual([]);
          expect(backup).toMatchObject({ status: 'completed', encrypted: true, filename: expect.stringMatching(/-shop-sealed\.dump\.age$/) });
          expect(reconciled.finishedBackups).toEqual([backup!.filename]);
          expect(backupDirEntries(crashHome).sort()).toEqual([backup!.filename, `${backup!.filename}.json`, backup!.globals.filename].sort());
          const stored = readFileSync(backup!.path);
          expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(backup!.checksum);
          expect(stored.length).toBe(backup!.size);
          const plain = execFileSync('age', ['-d', '-i', keyFile, backup!.path], { maxBuffer: 1 << 30 });
          expect(`sha256:${createHash('sha256').update(plain).digest('hex')}`).toBe(backup!.encryption!.plaintextChecksum);
          const listed = spawnSync(join(server.binDir, 'pg_restore'), ['--list'], { input: plain });
          expect(listed.status, listed.stderr.toString()).toBe(0);
        } finally {
          reopened.close();
        }
      } finally {
        crashHome.cleanup();
        rmSync(keyDir, { recursive: true, force: true });
      }
    },
  );

  test('a renamed file that no longer matches its recorded checksum is removed with its companions, and the run says why', async () => {
    const crashHome = await crashHomeWithShop();
    try {
      const killed = await runCli(['backup', 'shop', '--suffix', 'sealed'], { ...crashHome.env, HOLDFAST_TEST_CRASH_AT: 'backup:globals-renamed' });
      expect(killed.code, killed.stderr).toBeNull();
      const [dump] = backupDirEntries(crashHome).filter((f) => f.endsWith('-shop-sealed.dump'));
      const path = join(crashHome.home, 'backups', dump!);
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.from('X'), 0, 1, 100);
      closeSync(fd);
      const { holdfast: reopened, reconciled } = await Holdfast.open(loadConfig(crashHome.env), { secrets: noKeychain });
      try {
        expect(reopened.catalogue.listBackups({ statuses: ['completed', 'missing', 'deleted'] })).toEqual([]);
        expect(reconciled.finishedBackups).toEqual([]);
        expect(reconciled.interruptedRuns).toHaveLength(1);
        expect(backupDirEntries(crashHome)).toEqual([]);
        expect(lastRun(reopened)).toMatchObject({ status: 'interrupted', error: expect.stringContaining('checksum') });
      } finally {
        reopened.close();
      }
    } finally {
      crashHome.cleanup();
    }
  });
});

describe.skipIf(!asRoot)('a full HOLDFAST_HOME (a tmpfs, which only root may mount)', () => {
  test('whenever space runs out, the backup fails saying so — the reason recorded in the run, or on stderr why it could not be — never "a bug", and no temp file stays', async () => {
    await server.query('CREATE DATABASE fill');
    await server.query('CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS filler FROM generate_series(1, 60000) g', 'fill');
    // From too little to open the catalogue, through a catalogue too full for the run, to pg_dump's own ENOSPC.
    for (const freeKb of [0, 40, 56, 200]) {
      const full = makeHome();
      const unmount = mountTmpfs(full.home, '8m');
      try {
        expect((await runCli(['profile', 'add', 'fill', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'fill'], full.env)).code).toBe(0);
        const ballast = fillUp(full.home, freeKb * 1024);
        const failed = await runCli(['backup', 'fill', '--compress', 'none'], full.env);
        const context = `${freeKb} KB free: ${failed.stderr}`;
        expect(failed.code, context).toBe(1);
        expect(failed.stderr, context).not.toContain('bug');
        expect(failed.stderr, context).toMatch(/No space left on device|full/);
        expect(
          backupDirEntries(full).filter((f) => f.endsWith('.tmp')),
          context,
        ).toEqual([]);
        const unrecorded = failed.stderr.includes('could not be recorded');

        rmSync(ballast);
        const listed = await runCli(['list', '--all', '--json'], full.env);
        const runs = JSON.parse(listed.stdout) as Array<{ status: string; error: string | null }>;
        if (unrecorded)
          expect(
            runs.every((run) => run.status === 'interrupted'),
            context,
          ).toBe(true);
        else
          expect(
            runs.map((run) => [run.status, /No space left on device|full/.test(run.error ?? '')]),
            context,
          ).toEqual(runs.length ? [['failed', true]] : []);
      } finally {
        unmount();
        full.cleanup();
      }
    }
  });
});

describe('tools that lie', () => {
  const standIns: string[] = [];
  afterAll(() => {
    for (const dir of standIns) rmSync(dir, { recursive: true, force: true });
  });

  /** Real client tools, except the ones given a shell body here (pg_dump when just a string). */
  function standIn(bodies: string | Partial<Record<'pg_dump' | 'pg_dumpall', string>>): string {
    const fakes: Partial<Record<string, string>> = typeof bodies === 'string' ? { pg_dump: bodies } : bodies;
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-fake-bin-'));
    standIns.push(dir);
    for (const tool of ['pg_dump', 'pg_restore', 'psql', 'pg_dumpall']) {
      const path = join(dir, tool);
      writeFileSync(path, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${tool} (PostgreSQL) 15.18"; exit 0; fi\n${fakes[tool] ?? `exec /usr/lib/postgresql/15/bin/${tool} "$@"`}\n`);
      chmodSync(path, 0o755);
    }
    return dir;
  }

  test('when pg_dumpall cannot save the roles, the backup still completes, with a note saying why and no roles file', async () => {
    const fake = await home.open({ HOLDFAST_PG_BIN: standIn({ pg_dumpall: 'echo "pg_dumpall: error: query failed: ERROR:  permission denied for table pg_authid" >&2; exit 1' }) });
    try {
      const backup = await fake.backup('shop', { suffix: 'noroles' });
      expect(backup.globals).toEqual({
        filename: null,
        checksum: null,
        note: expect.stringMatching(/^Roles and tablespaces were not saved: pg_dumpall failed: .*permission denied for table pg_authid/),
      });
      expect(JSON.parse(readFileSync(`${backup.path}.json`, 'utf8')).globals.note).toBe(backup.globals.note);
      expect(backupDirEntries().filter((f) => f.includes('noroles'))).toEqual([backup.filename, `${backup.filename}.json`]);
      expect((await fake.verify(backup.id)).valid).toBe(true);
    } finally {
      fake.close();
    }
  });

  test('a pg_dump that exits 0 having written nothing is a failure', async () => {
    const fake = await home.open({ HOLDFAST_PG_BIN: standIn('exit 0') });
    try {
      await expect(fake.backup('shop', { suffix: 'empty' })).rejects.toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringContaining('wrote nothing') });
      expect(backupDirEntries().filter((f) => f.includes('empty'))).toEqual([]);
      expect(lastRun(fake)).toMatchObject({ status: 'failed' });
    } finally {
      fake.close();
    }
  });

  test('a pg_dump that exits 0 with a truncated archive is a failure', async () => {
    const body = `/usr/lib/postgresql/15/bin/pg_dump "$@" || exit $?\nfor a in "$@"; do case "$a" in --file=*) f="\${a#--file=}";; esac; done\ntruncate -s -200 "$f"\nexit 0`;
    const fake = await home.open({ HOLDFAST_PG_BIN: standIn(body) });
    try {
      await expect(fake.backup('shop', { suffix: 'truncated' })).rejects.toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringContaining('not a complete dump') });
      expect(backupDirEntries().filter((f) => f.includes('truncated'))).toEqual([]);
    } finally {
      fake.close();
    }
  });

  test('a plain dump cut before its trailer is a failure', async () => {
    const body = `/usr/lib/postgresql/15/bin/pg_dump "$@" || exit $?\nfor a in "$@"; do case "$a" in --file=*) f="\${a#--file=}";; esac; done\ngzip -dc "$f" | head -n 50 | gzip > "$f.cut" && cat "$f.cut" > "$f" && rm "$f.cut"\nexit 0`;
    const fake = await home.open({ HOLDFAST_PG_BIN: standIn(body) });
    try {
      await expect(fake.backup('shop', { format: 'plain', suffix: 'cut' })).rejects.toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringContaining('not a complete dump') });
    } finally {
      fake.close();
    }
  });
});

describe('backups that would be quietly incomplete', () => {
  test('a mistyped table or schema fails the backup, naming the pattern that matched nothing; nothing is kept', async () => {
    const before = backupDirEntries();
    await expect(holdfast.backup('shop', { tables: ['users', 'invoicess'] })).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      message: expect.stringContaining('matches the table pattern "invoicess"'),
    });
    expect(lastRun()).toMatchObject({ status: 'failed', error: expect.stringContaining('invoicess') });
    await expect(holdfast.backup('shop', { schemas: ['pubic'] })).rejects.toMatchObject({ message: expect.stringContaining('matches the schema pattern "pubic"') });
    expect(backupDirEntries()).toEqual(before);
    // Spelled right, the same backup works.
    const ok = await holdfast.backup('shop', { tables: ['users', 'orders'] });
    expect(Object.keys(ok.rowCounts).sort()).toEqual(['public.orders', 'public.users']);
  });
});

describe('servers Holdfast cannot use', () => {
  test('a database that does not exist: a clear error', async () => {
    await holdfast.addProfile(profileFor(server, 'ghost', 'no_such_db'));
    await expect(holdfast.backup('ghost', {})).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('"no_such_db" does not exist') });
  });

  test('a host that never answers: bounded by the connect timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const quick = await home.open({ HOLDFAST_CONNECT_TIMEOUT_SECONDS: '1' });
    try {
      await quick.addProfile({ name: 'blackhole', host: '127.0.0.1', port, user: 'postgres', dbname: 'x' });
      // The limit in force is named: HOLDFAST_CONNECT_TIMEOUT_SECONDS, not the default 10 s, ended the wait.
      await expect(quick.backup('blackhole', {})).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('within the connect timeout (1 s)') });
    } finally {
      quick.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('a closed port: refused with the address named', async () => {
    await holdfast.addProfile({ name: 'closed', host: '127.0.0.1', port: 1, user: 'postgres', dbname: 'x' });
    await expect(holdfast.backup('closed', {})).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('127.0.0.1:1') });
  });

  // The DBA review: a backup that failed before pg_dump started was listed with the file it would
  // have written, as if it existed.
  test('a backup that fails before it starts lists no file: none was written', async () => {
    const cliHome = makeHome();
    try {
      const added = await runCli(['profile', 'add', 'nowhere', '--host', '127.0.0.1', '--port', '1', '--user', 'nobody', '--dbname', 'x'], cliHome.env);
      expect(added.code, added.stderr).toBe(0);
      const taken = await runCli(['backup', 'nowhere'], cliHome.env);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(/Cannot connect/);
      const listed = JSON.parse((await runCli(['list', '--all', '--json'], cliHome.env)).stdout) as Array<{ status: string; filename: string | null }>;
      expect(listed).toEqual([expect.objectContaining({ status: 'failed', filename: null })]);
      expect((await runCli(['list', '--all'], cliHome.env)).stdout).not.toMatch(/\.dump\b/);
      expect(backupDirEntries(cliHome)).toEqual([]);
    } finally {
      cliHome.cleanup();
    }
  });

  // The DBA review: the CLI printed the hint when the backup failed, but the run kept only the message.
  test('a failed attempt keeps its hint: list --all says it (text and JSON), as the backup did', async () => {
    const cliHome = makeHome();
    try {
      expect((await runCli(['profile', 'add', 'nowhere', '--host', '127.0.0.1', '--port', '1', '--user', 'nobody', '--dbname', 'x'], cliHome.env)).code).toBe(0);
      const taken = await runCli(['backup', 'nowhere'], cliHome.env);
      const hint = /^hint: (.+)$/m.exec(taken.stderr)?.[1];
      expect(hint).toMatch(/Check that the server is running/);
      const listed = JSON.parse((await runCli(['list', '--all', '--json'], cliHome.env)).stdout) as Array<{ status: string; hint?: string }>;
      expect(listed).toEqual([expect.objectContaining({ status: 'failed', hint })]);
      expect((await runCli(['list', '--all'], cliHome.env)).stdout).toContain(`hint: ${hint}`);
    } finally {
      cliHome.cleanup();
    }
  });

  test('a client older than the server is refused before dumping, naming both versions', async () => {
    const newer = await startPgServer({ major: 17 });
    try {
      await newer.query('CREATE DATABASE app');
      await holdfast.addProfile(profileFor(newer, 'pg17', 'app'));
      const before = backupDirEntries();
      await expect(holdfast.backup('pg17', {})).rejects.toMatchObject({
        code: 'VERSION_MISMATCH',
        message: expect.stringMatching(/PostgreSQL 17\.\d+.*needs PostgreSQL client tools 17 or newer.*15\.\d+/),
        hint: expect.stringContaining('postgresql-client-17'),
      });
      expect(backupDirEntries()).toEqual(before);
      expect(lastRun()).toMatchObject({ status: 'failed', profile: 'pg17' });
    } finally {
      await newer.stop();
    }
  });
});

describe('damaged backups', () => {
  test('one flipped byte: verify fails and restore is refused with the target untouched', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'flip' });
    const fd = openSync(backup.path, 'r+');
    const byte = Buffer.alloc(1);
    const at = Math.floor(backup.size / 2);
    readSync(fd, byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0x01;
    writeSync(fd, byte, 0, 1, at);
    closeSync(fd);

    const result = await holdfast.verify(backup.id);
    expect(result.valid).toBe(false);
    expect(result.checks.find((c) => c.name === 'checksum')).toMatchObject({ status: 'failed', detail: expect.stringContaining('corrupt') });
    expect(holdfast.catalogue.findBackup(backup.id)?.lastVerified?.valid).toBe(false);

    await server.query('CREATE DATABASE flip_target');
    await expect(
      holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'flip_target', create: false, clean: true, confirm: 'flip_target', noOwner: false, noAcl: false, dryRun: false }),
    ).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('failed verification') });
    const tables = await server.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`, 'flip_target');
    expect(tables).toHaveLength(0);
    expect(await rowCount(server, 'shop', 'users')).toBe(500);
  });

  test('a backup file that vanished is flagged missing on the next start', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'vanish' });
    rmSync(backup.path);
    const reopened = await home.open();
    try {
      expect(reopened.catalogue.findBackup(backup.id)?.status).toBe('missing');
    } finally {
      reopened.close();
    }
  });
});
