// Is the Holdfast process that started a run still alive? A pid alone lies: a container's daemon is
// PID 1 after every restart, and pids are reused. So each process also has a random token, stored
// with its runs; a run with our pid but another token belongs to a dead predecessor.
import { randomBytes } from 'node:crypto';

export const PROCESS_TOKEN = randomBytes(4).toString('hex');

export function isProcessAlive(pid: number, token: string | null): boolean {
  if (pid === process.pid) return token === PROCESS_TOKEN;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
