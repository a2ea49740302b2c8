// A CLI backup's own work yields to the tools it runs (cli/helper-threads.ts): once pg_dump and
// pg_dumpall are both running, the command's main thread drops to nice 19 like its helper threads,
// and the tools keep their own priority. A whole-server set starts pg_dump after pg_dump, which would
// inherit a lowered priority, so its main thread stays where it was. Real CLI processes against a real
// server; a held lock keeps pg_dump waiting while the priorities are read from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, processesMatching, profileFor, runCli, seedDatabase, startCli, usePrivateTmpdir, waitFor, type TestHome } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;

/** The nice value of a thread (or a process's main thread), as the kernel keeps it. */
function niceOf(pid: number, tid = pid): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/**
 * The children of every thread of this process, by the tool they run: the program in their arguments,
 * not their comm, which is still `setpriv` (the lifeline) until it has exec'd the tool it names.
 */
function ownChildren(): Map<number, string> {
  const children = new Map<number, string>();
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number)) {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const tool = args.map((arg) => arg.slice(arg.lastIndexOf('/') + 1)).find((name) => name === 'pg_dump' || name === 'pg_dumpall');
        children.set(pid, tool ?? readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      } catch {
        // exited and reaped meanwhile
      }
    }
  }
  return children;
}

beforeAll(async () => {
  server = await startPgServer();
  await seedDatabase(server, 'shop', 300);
  home = makeHome();
  const added = await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], home.env);
  expect(added.code, added.stderr).toBe(0);
  const wholeServer = await runCli(['profile', 'add', 'everything', '--host', server.host, '--port', String(server.port), '--user', server.user, '--all-databases'], home.env);
  expect(wholeServer.code, wholeServer.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  home?.cleanup();
  await server?.stop();
  privateTmp.remove();
});

describe.runIf(process.platform === 'linux')('priorities during a backup', () => {
  test('the engine says the tools have started only once pg_dump and pg_dumpall are both its children', async () => {
    const holdfast = await home.open();
    const seen: Array<string[]> = [];
    try {
      await holdfast.addProfile(profileFor(server, 'engine-shop', 'shop'));
      await holdfast.backup(
        'engine-shop',
        {},
        {
          onProgress: (progress) => {
            if (progress.toolsStarted && seen.length === 0) seen.push([...ownChildren().values()].sort());
          },
        },
      );
    } finally {
      holdfast.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(expect.arrayContaining(['pg_dump', 'pg_dumpall']));
  });

  test("a single backup: the CLI's main thread is lowered to nice 19 once its tools run; pg_dump keeps nice 0", async () => {
    const lock = await server.lockTable('shop', 'users');
    let cliNice: number;
    let dumpNice: number;
    try {
      const cli = startCli(['backup', 'shop', '--suffix', 'niced'], home.env);
      const exited = new Promise<number | null>((resolve) => cli.once('close', resolve));
      const dump = await waitFor('pg_dump to start', () => processesMatching('-shop-niced.dump.tmp').find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pg_dump')));
      cliNice = await waitFor('the main thread to be lowered', () => (niceOf(cli.pid!) === 19 ? 19 : undefined));
      dumpNice = niceOf(dump);
      await lock.end();
      expect(await exited).toBe(0);
    } finally {
      await lock.end().catch(() => undefined);
    }
    expect(cliNice).toBe(19);
    expect(dumpNice).toBe(0);
  });

  test("a whole-server set: the main thread keeps its priority, so every member's pg_dump starts at nice 0", async () => {
    const lock = await server.lockTable('shop', 'users');
    try {
      const cli = startCli(['backup', 'everything'], home.env);
      const exited = new Promise<number | null>((resolve) => cli.once('close', resolve));
      // The member dumping shop waits on the lock; by then every other member has had its turn to start.
      const dump = await waitFor("shop's pg_dump to start", () => processesMatching('-shop.dump.tmp').find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pg_dump')));
      expect(niceOf(dump)).toBe(0);
      expect(niceOf(cli.pid!)).toBe(0);
      await lock.end();
      expect(await exited).toBe(0);
    } finally {
      await lock.end().catch(() => undefined);
    }
  });
});
