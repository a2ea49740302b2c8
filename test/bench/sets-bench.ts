// The whole-server rows (issue 16), run with `BENCH_ONLY=sets npm run bench`: a server with
// BENCH_SET_DATABASES (default 8) databases of BENCH_SET_ROWS rows each (default 300,000), and
//   - Holdfast's backup set, 2 databases at a time, uncompressed like pg_dumpall's output (the issue's
//     target: ≤ 0.6 of pg_dumpall's time, judged like for like: the same bytes out, no compression
//     the baseline does not do),
//   - the same set with pg_dump's default compression (gzip 6), what a DBA gets without choosing,
//   - `pg_dumpall > file` (plain SQL, one process: what pgAdmin's "Backup Server" runs),
//   - the sum of sequential `pg_dump -Fc` runs, one per database,
//   - the raw floor: the same databases (the bench's and postgres, as the set) dumped by bare `pg_dump -Fc -Z0 -f` processes, 2 at a time,
//     started by a plain spawn queue here (no Holdfast code, no counts, no checksums): the best any
//     tool built on pg_dump can do on this machine with 2 in parallel; and the same with
//     `pg_dumpall --globals-only` run beside the first two, as the set runs its roles file,
// each timed BENCH_RUNS times (default 3) after one unmeasured warm-up of each, alternated, median
// reported, with the CPU of each side and Holdfast's peak RSS. For the set and the floor it also
// prints how busy the 2 slots were: the pg_dumps' summed run time over 2 × the side's wall time
// (1.00: a pg_dump in each slot from the first moment to the last).
// Every number printed is measured here. Not run by the test suite.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupProgress } from '../../main/core/backup/backup.ts';
import { makeHome } from '../support/holdfast-env.ts';
import { startPgServer } from '../support/pg-server.ts';
import { postmasterPid, processTreesCpuMs } from './process-cpu.ts';

const DATABASES = Number(process.env.BENCH_SET_DATABASES ?? 8);
const ROWS = Number(process.env.BENCH_SET_ROWS ?? 300_000);
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
/** Databases dumped at once, by the set and by the raw floor alike. */
const PARALLEL = 2;

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
    // What the set backs up, and so what the floor and the sequential dumps dump too: every database
    // one may connect to that is not a template — the bench's and postgres (sets/server-databases.ts).
    const dumped = (await server.query<{ datname: string }>(`SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname COLLATE "C"`)).map(
      (row) => row.datname,
    );
    // The server's postmaster: its tree (backends, reaped ones included) is where the COPY and the
    // exact counts spend their CPU, so each side's CPU is this bench's tree (Holdfast in-process and the
    // pg tools it waits for) plus the server's.
    const postmaster = await postmasterPid((sql) => server.query<{ directory: string }>(sql));
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
    const cpu = { set: [] as CpuSplit[], compressedSet: [] as CpuSplit[], dumpall: [] as CpuSplit[], sequential: [] as CpuSplit[], floor: [] as CpuSplit[], floorGlobals: [] as CpuSplit[] };
    const measured = (into: CpuSplit[], step: () => Promise<unknown>) => async () => {
      const before = cpuNow();
      await step();
      const after = cpuNow();
      into.push({ total: after.total - before.total, server: after.server - before.server, own: after.own - before.own });
    };
    const holdfast = await home.open();
    await holdfast.addProfile({ name: 'server', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: PARALLEL } });
    const env = { PATH: process.env.PATH, PGHOST: server.host, PGPORT: String(server.port), PGUSER: server.user };
    const setMs: number[] = [];
    const compressedSetMs: number[] = [];
    const dumpallMs: number[] = [];
    const sequentialMs: number[] = [];
    const floorMs: number[] = [];
    const floorGlobalsMs: number[] = [];
    const busy = { set: [] as number[], floor: [] as number[], floorGlobals: [] as number[] };
    let peakRss = 0;
    // The raw floor: PARALLEL bare pg_dumps at a time, each next one spawned as one exits.
    const rawFloor = async (tag: string, withGlobals: boolean) => {
      const started = performance.now();
      const queue = [...dumped];
      let dumping = 0;
      const slot = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          // Awaited first: `dumping += await …` would read dumping before the other slot's addition.
          const ms = await timed(join(server.binDir, 'pg_dump'), ['-Fc', '-Z0', '--no-password', `--file=${join(scratch, `floor-${tag}-${name}.dump`)}`, `--dbname=${name}`], env);
          dumping += ms;
        }
      };
      const globals = withGlobals
        ? [timed(join(server.binDir, 'pg_dumpall'), ['--globals-only', '--no-role-passwords', '--no-password', `--file=${join(scratch, `floor-${tag}-globals.sql`)}`], env)]
        : [];
      await Promise.all([...Array.from({ length: PARALLEL }, slot), ...globals]);
      const wall = performance.now() - started;
      return { wall, busy: dumping / (PARALLEL * wall) };
    };
    const dumpallOnce = (tag: string) => timed(join(server.binDir, 'pg_dumpall'), ['--no-password'], env, join(scratch, `all-${tag}.sql`));
    // Warm-up, not measured: each side's first pass over the tables and the tools' first start.
    await dumpallOnce('warm-up');
    await rawFloor('warm-up', true);
    await holdfast.sets.take('server', { compression: { method: 'none' } });
    for (let run = 0; run < RUNS; run += 1) {
      const takeSet = (compression: 'none' | 'gzip', into: number[]) => async () => {
        // pg_dump's run time per member: from its spawn ('dumping') to its exit (the 'checking' that follows).
        const spawned = new Map<string, number>();
        let dumping = 0;
        const onProgress = (progress: BackupProgress) => {
          if (!progress.database) return;
          if (progress.phase === 'dumping' && !spawned.has(progress.database)) spawned.set(progress.database, performance.now());
          if (progress.phase === 'checking' && spawned.has(progress.database)) dumping += performance.now() - spawned.get(progress.database)!;
        };
        const started = performance.now();
        const set = await holdfast.sets.take('server', { compression: { method: compression } }, { onProgress });
        if (set.status !== 'completed') throw new Error(`the set is ${set.status}: ${set.problems.join('; ')}`);
        const wall = performance.now() - started;
        into.push(wall);
        if (compression === 'none') busy.set.push(dumping / (PARALLEL * wall));
        peakRss = Math.max(peakRss, process.resourceUsage().maxRSS);
      };
      const dumpall = async () => dumpallMs.push(await dumpallOnce(String(run)));
      const floor = (withGlobals: boolean) => async () => {
        const result = await rawFloor(`${run}-${withGlobals ? 'g' : 'n'}`, withGlobals);
        (withGlobals ? floorGlobalsMs : floorMs).push(result.wall);
        (withGlobals ? busy.floorGlobals : busy.floor).push(result.busy);
      };
      const sequential = async () => {
        let total = 0;
        for (const name of dumped) total += await timed(join(server.binDir, 'pg_dump'), ['-Fc', '--no-password', `--file=${join(scratch, `${name}-${run}.dump`)}`, `--dbname=${name}`], env);
        sequentialMs.push(total);
      };
      // Alternated, so neither side always runs on a warmer cache.
      const steps = [
        measured(cpu.set, takeSet('none', setMs)),
        measured(cpu.dumpall, dumpall),
        measured(cpu.floor, floor(false)),
        measured(cpu.compressedSet, takeSet('gzip', compressedSetMs)),
        measured(cpu.floorGlobals, floor(true)),
        measured(cpu.sequential, sequential),
      ];
      for (const step of run % 2 === 0 ? steps : steps.reverse()) await step();
    }
    holdfast.close();
    const set = median(setMs);
    const cores = availableParallelism();
    const seconds = (values: number[]) => (median(values) / 1000).toFixed(2);
    const cpuCell = (values: CpuSplit[], wall: number) =>
      `${seconds(values.map((v) => v.total))} s: server ${seconds(values.map((v) => v.server))} s, Holdfast's process ${seconds(values.map((v) => v.own))} s (${(median(values.map((v) => v.total)) / wall).toFixed(2)} cores busy)`;
    const totals = (values: CpuSplit[]) => values.map((v) => v.total);
    const dumpall = median(dumpallMs);
    const floor = median(floorMs);
    const floorGlobals = median(floorGlobalsMs);
    const rows = [
      `## Whole-server set (BENCH_ONLY=sets) — ${new Date().toISOString()}`,
      '',
      `${DATABASES} databases × ${ROWS.toLocaleString('en')} rows (and postgres: ${dumped.length} databases dumped by every side), medians of ${RUNS} after a warm-up:`,
      '',
      '| what | time | vs pg_dumpall | CPU, the tools and the server together |',
      '| --- | --- | --- | --- |',
      `| Holdfast set, 2 databases at a time, uncompressed like pg_dumpall (checked, counted, checksummed, sealed) | ${(set / 1000).toFixed(2)} s | ${(set / median(dumpallMs)).toFixed(2)} (target ≤ 0.6) | ${cpuCell(cpu.set, set)} |`,
      `| Holdfast set, 2 databases at a time, pg_dump's default gzip 6 | ${(median(compressedSetMs) / 1000).toFixed(2)} s | ${(median(compressedSetMs) / median(dumpallMs)).toFixed(2)} (information) | ${cpuCell(cpu.compressedSet, median(compressedSetMs))} |`,
      `| raw floor: bare \`pg_dump -Fc -Z0 -f\`, ${PARALLEL} at a time (no counts, no checksums, no Holdfast code) | ${(floor / 1000).toFixed(2)} s | ${(floor / dumpall).toFixed(2)} | ${cpuCell(cpu.floor, floor)} |`,
      `| raw floor + \`pg_dumpall --globals-only\` beside the first two (what the set does) | ${(floorGlobals / 1000).toFixed(2)} s | ${(floorGlobals / dumpall).toFixed(2)} | ${cpuCell(cpu.floorGlobals, floorGlobals)} |`,
      `| pg_dumpall > file (plain SQL) | ${(dumpall / 1000).toFixed(2)} s | 1.00 | ${cpuCell(cpu.dumpall, dumpall)} |`,
      `| sequential pg_dump -Fc, summed | ${(median(sequentialMs) / 1000).toFixed(2)} s | ${(median(sequentialMs) / median(dumpallMs)).toFixed(2)} | ${cpuCell(cpu.sequential, median(sequentialMs))} |`,
      '',
      `Set / raw floor with globals: ${(set / floorGlobals).toFixed(2)} in wall time, ${(median(totals(cpu.set)) / median(totals(cpu.floorGlobals))).toFixed(2)} in CPU (what Holdfast adds). Slots busy with a pg_dump (their summed run time / ${PARALLEL} × wall): set ${median(busy.set).toFixed(2)}, raw floor ${median(busy.floor).toFixed(2)}, raw floor with globals ${median(busy.floorGlobals).toFixed(2)}.`,
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
