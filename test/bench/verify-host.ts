// Row 10's engine side, in a process of its own: it opens the bench's encryption home once and
// verifies a backup each time it is asked, timing the verify itself. Why not in the bench's process:
// the bench starts `age` and the CLI between two verifies, and every start forks the process that
// starts it. After a fork each page of that process is write-protected, and the first write to it
// faults: a verify that follows one wrote ~4,500 pages more (~60 ms on this VM, alternated in one
// process). The harness's forks are not Holdfast's work, so the timed verifies run here, where nothing
// forks between them. What a fork costs a verify is still measured and shown (row 10d): asked with
// `forkFirst`, the host starts /bin/true itself right before the timed verify, as a long-lived
// Holdfast does when a verify follows a backup that started pg_dump.
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../main/core/config/config.ts';
import { Holdfast } from '../../main/core/holdfast.ts';
import { cleanEnv } from '../support/clean-env.ts';

export interface VerifyRequest {
  backupId: string;
  forkFirst: boolean;
}

export type VerifyAnswer = { ms: number; checks: Array<{ name: string; status: string }> } | { error: string };

const { holdfast } = await Holdfast.open(loadConfig(cleanEnv(process.env)));

process.on('message', (request: VerifyRequest) => {
  void (async (): Promise<VerifyAnswer> => {
    try {
      if (request.forkFirst) spawnSync('/bin/true');
      const started = performance.now();
      const result = await holdfast.verify(request.backupId);
      return { ms: performance.now() - started, checks: result.checks.map(({ name, status }) => ({ name, status })) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  })().then((answer) => process.send!(answer));
});
process.on('disconnect', () => {
  holdfast.close();
  process.exit(0);
});
process.send!({ ready: true });
