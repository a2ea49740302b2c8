// Client-tool discovery runs once per explicit directory for the life of an engine: finding and
// versioning pg_dump and friends spawns each of them.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discoverClientTools, type ClientToolSet } from './discover.ts';
import type { ProgramAnswers } from './program-answers.ts';

export class ClientToolCache {
  private readonly found = new Map<string, Promise<ClientToolSet[]>>();

  /** `answers`: the tools' `--version` answers kept across processes (program-answers.ts). */
  constructor(private readonly answers?: ProgramAnswers) {}

  get(explicitDir?: string): Promise<ClientToolSet[]> {
    const key = explicitDir ?? '';
    let found = this.found.get(key);
    if (!found) {
      found = discoverClientTools({ explicitDir, bundledDirs: bundledToolDirs(), ...(this.answers ? { answers: this.answers } : {}) });
      this.found.set(key, found);
    }
    return found;
  }
}

/** The checkout or package root: the nearest directory above this module with a package.json. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Client tools shipped with the app: build/pg/<platform> in a checkout, resources/pg in a package. */
function bundledToolDirs(): string[] {
  const platformDir = `${process.platform}-${process.arch}`;
  const dirs = [join(projectRoot(), 'build', 'pg', platformDir, 'bin')];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) dirs.unshift(join(resourcesPath, 'pg', 'bin'));
  return dirs;
}
