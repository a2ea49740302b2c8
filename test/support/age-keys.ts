// An age identity made by Debian's `age-keygen`, for the suites that check Holdfast against the standard tool.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A new identity file in `dir` and its recipient (the `# public key:` line age-keygen writes). */
export function ageKeygen(dir: string): { file: string; recipient: string } {
  const file = join(dir, `key-${Math.random().toString(16).slice(2)}.txt`);
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  return { file, recipient: /# public key: (\S+)/.exec(readFileSync(file, 'utf8'))![1]! };
}
