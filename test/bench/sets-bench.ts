// The whole-server rows (issue 16), run with `BENCH_ONLY=sets npm run bench`: a server with
// BENCH_SET_DATABASES (default 8) databases of BENCH_SET_ROWS rows each (default 300,000), and
//   - Holdfast's backup set, 2 databases at a time, uncompressed like pg_dumpall's output (the issue's
//     target: ≤ 0.6 of pg_dumpall's time, judged like for like: the same bytes out, no compression
//     the baseline does not do),
//   - the same set with pg_dump's default compression (gzip 6), what a DBA gets without choosing,
//   - `pg_dumpall > file` (plain SQL, one process: what pgAdmin's "Backup Server" runs),
//   - the sum of sequential `pg_dump -Fc` runs, one per database,
// each timed BENCH_RUNS times (default 3), alternated, median reported, with Holdfast's peak RSS.
// Every number printed is measured here. Not run by the test suite.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHome } from '../support/holdfast-env.ts';
import { startPgServer } from '../support/pg-server.ts';
import { processTreesCpuMs } from './process-cpu.ts';

const DATABASES = Number(process.env.BENCH_SET_DATABASES ?? 8);
const ROWS = Number(process.env.BENCH_SET_ROWS ?? 300_000);
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall time of a child, its stdout to a file when given; rejects on a non-zero exit. */
function timed(bin: string, args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Promise<number> {
  const started = performance.now();
  const out = stdoutFile ? openSync(stdoutFile, 'w', 0o600) : 'ignore';
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', out, 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (typeof out === 'number') closeSync(out);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${bin} exited ${code}`));
    });
  });
}

export async function runSetsBenchAlone(log: (line: string) => void): Promise<string> {
  const server = await startPgServer();
  const home = makeHome();
  const scratch = mkdtempSync(join(tmpdir(), 'holdfast-sets-bench-'));
  try {
    const names = Array.from({ length: DATABASES }, (_, i) => `bench_db_${i + 1}`);
    log(`sets bench: ${DATABASES} databases × ${ROWS.toLocaleString('en')} rows, ${RUNS} runs per timing`);
    for (const name of names) {
      await server.query(`CREATE DATABASE ${name}`);
      await server.query(
        `CREATE TABLE items (id bigserial PRIMARY KEY, name text, amount numeric(12,2), at timestamptz DEFAULT now());
         INSERT INTO items (name, amount) SELECT md5(g::text), g * 0.37 FROM generate_series(1, ${ROWS}) g;`,
        name,
      );
      // Settled before anything is timed: the first reader of freshly inserted rows sets their hint
      // bits, and autovacuum's first pass over a bulk load rewrites every page — work the server
      // would otherwise charge to whichever side ran first (the set, in two runs of three).
      await server.query(`VACUUM (FREEZE, ANALYZE) items`, name);
    }
    // The server's postmaster: its tree (backends, reaped ones included) is where the COPY and the
    // exact counts spend their CPU, so each side's CPU is this bench's tree (Holdfast in-process and the
    // pg tools it waits for) plus the server's.
    const [dataDirectory] = await server.query<{ directory: string }>(`SELECT setting AS directory FROM pg_settings WHERE name = 'data_directory'`);
    const postmaster = Number(readFileSync(join(dataDirectory!.directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    interface CpuSplit {
      /** Every process involved: this bench (Holdfast in-process), the pg tools it waits for, the server. */
      total: number;
      server: number;
      /** This process alone: Holdfast's own work for the set side (checks, checksums, catalogue), ~0 otherwise. */
      own: number;
    }
    const cpuNow = (): CpuSplit => {
      const own = process.cpuUsage();
      return { total: processTreesCpuMs([process.pid, postmaster]), server: processTreesCpuMs([postmaster]), own: (own.user + own.system) / 1000 };
    };
    const cpu = { set: [] as CpuSplit[], compressedSet: [] as CpuSplit[], dumpall: [] as CpuSplit[], sequential: [] as CpuSplit[] };
    const measured = (into: CpuSplit[], step: () => Promise<unknown>) => async () => {
      const before = cpuNow();
      await step();
      const after = cpuNow();
      into.push({ total: after.total - before.total, server: after.server - before.server, own: after.own - before.own });
    };
    const holdfast = await home.open();
    await holdfast.addProfile({ name: 'server', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: 2 } });
    const env = { PATH: process.env.PATH, PGHOST: server.host, PGPORT: String(server.port), PGUSER: server.user };
    const setMs: number[] = [];
    const compressedSetMs: number[] = [];
    const dumpallMs: number[] = [];
    const sequentialMs: number[] = [];
    let peakRss = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const takeSet = (compression: 'none' | 'gzip', into: number[]) => async () => {
        const started = performance.now();
        const set = await holdfast.sets.take('server', { compression: { method: compression } });
        if (set.status !== 'completed') throw new Error(`the set is ${set.status}: ${set.problems.join('; ')}`);
        into.push(performance.now() - started);
        peakRss = Math.max(peakRss, process.resourceUsage().maxRSS);
      };
      const dumpall = async () => dumpallMs.push(await timed(join(server.binDir, 'pg_dumpall'), ['--no-password'], env, join(scratch, `all-${run}.sql`)));
      const sequential = async () => {
        let total = 0;
        for (const name of names) total += await timed(join(server.binDir, 'pg_dump'), ['-Fc', '--no-password', `--file=${join(scratch, `${name}-${run}.dump`)}`, `--dbname=${name}`], env);
        sequentialMs.push(total);
      };
      // Alternated, so neither side always runs on a warmer cache.
      const steps = [measured(cpu.set, takeSet('none', setMs)), measured(cpu.dumpall, dumpall), measured(cpu.compressedSet, takeSet('gzip', compressedSetMs)), measured(cpu.sequential, sequential)];
      for (const step of run % 2 === 0 ? steps : steps.reverse()) await step();
    }
    holdfast.close();
    const set = median(setMs);
    const cores = availableParallelism();
    const seconds = (values: number[]) => (median(values) / 1000).toFixed(2);
    const cpuCell = (values: CpuSplit[], wall: number) =>
      `${seconds(values.map((v) => v.total))} s: server ${seconds(values.map((v) => v.server))} s, Holdfast's process ${seconds(values.map((v) => v.own))} s (${(median(values.map((v) => v.total)) / wall).toFixed(2)} cores busy)`;
    const totals = (values: CpuSplit[]) => values.map((v) => v.total);
    const rows = [
      `## Whole-server set (BENCH_ONLY=sets) — ${new Date().toISOString()}`,
      '',
      `${DATABASES} databases × ${ROWS.toLocaleString('en')} rows, medians of ${RUNS}:`,
      '',
      '| what | time | vs pg_dumpall | CPU, the tools and the server together |',
      '| --- | --- | --- | --- |',
      `| Holdfast set, 2 databases at a time, uncompressed like pg_dumpall (checked, counted, checksummed, sealed) | ${(set / 1000).toFixed(2)} s | ${(set / median(dumpallMs)).toFixed(2)} (target ≤ 0.6) | ${cpuCell(cpu.set, set)} |`,
      `| Holdfast set, 2 databases at a time, pg_dump's default gzip 6 | ${(median(compressedSetMs) / 1000).toFixed(2)} s | ${(median(compressedSetMs) / median(dumpallMs)).toFixed(2)} (information) | ${cpuCell(cpu.compressedSet, median(compressedSetMs))} |`,
      `| pg_dumpall > file (plain SQL) | ${(median(dumpallMs) / 1000).toFixed(2)} s | 1.00 | ${cpuCell(cpu.dumpall, median(dumpallMs))} |`,
      `| sequential pg_dump -Fc, summed | ${(median(sequentialMs) / 1000).toFixed(2)} s | ${(median(sequentialMs) / median(dumpallMs)).toFixed(2)} | ${cpuCell(cpu.sequential, median(sequentialMs))} |`,
      '',
      `On ${cores} cores no schedule can finish the uncompressed set faster than its CPU over the cores: ${(median(totals(cpu.set)) / cores / 1000).toFixed(2)} s, ${(median(totals(cpu.set)) / cores / median(dumpallMs)).toFixed(2)} of pg_dumpall's time; pg_dumpall alone keeps ${(median(totals(cpu.dumpall)) / median(dumpallMs)).toFixed(2)} cores busy.`,
      '',
      `Holdfast's peak RSS over the runs: ${Math.round(peakRss / 1024)} MB.`,
    ];
    return `${rows.join('\n')}\n`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    home.cleanup();
    await server.stop();
  }
}
