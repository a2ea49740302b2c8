import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { discoverClientTools } from './discover.ts';
import { ProgramAnswers } from './program-answers.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-answers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real program that notes each run in `<name>.runs` and prints `output` (exit `status`). */
function program(name: string, output: string, status = 0): { path: string; runs: () => number } {
  const path = join(dir, name);
  const runs = `${path}.runs`;
  writeFileSync(runs, '');
  writeFileSync(path, `#!/bin/sh\necho run >> '${runs}'\necho '${output}'\nexit ${status}\n`);
  chmodSync(path, 0o755);
  return { path, runs: () => readFileSync(runs, 'utf8').split('\n').filter(Boolean).length };
}

/** A real compiled program (a copy of coreutils' `true`, which answers --version): only such a file's answers are kept. */
function compiled(name: string): string {
  const path = join(dir, name);
  copyFileSync('/usr/bin/true', path);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Marks every kept answer, so that an answer read back from the file is told from one the program gave
 * again: a compiled program cannot count its own runs as the scripts above do.
 */
function markKept(file: string): void {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { identity: string; stdout: string }>;
  for (const entry of Object.values(saved)) entry.stdout = 'kept answer\n';
  writeFileSync(file, JSON.stringify(saved));
}

test('a second process asks the same compiled program nothing: the answer kept in the home is used', async () => {
  const tool = compiled('kept-tool');
  const file = join(dir, 'answers-1.json');
  const first = await new ProgramAnswers(file).ask(tool, ['--version'], 5000);
  expect(first).toMatchObject({ status: 0, stdout: expect.stringContaining('coreutils') });
  markKept(file);
  expect(await new ProgramAnswers(file).ask(tool, ['--version'], 5000)).toEqual({ status: 0, stdout: 'kept answer\n' });
  // Other arguments are another question.
  expect((await new ProgramAnswers(file).ask(tool, ['--help'], 5000)).stdout).not.toBe('kept answer\n');
});

test('a replaced program is asked again, even with the same size and mtime', async () => {
  const tool = compiled('replaced');
  const file = join(dir, 'answers-2.json');
  await new ProgramAnswers(file).ask(tool, ['--version'], 5000);
  markKept(file);
  // An upgrade writes a new file and renames it over the old one (a new inode).
  const upgraded = compiled('replaced.new');
  renameSync(upgraded, tool);
  expect((await new ProgramAnswers(file).ask(tool, ['--version'], 5000)).stdout).toContain('coreutils');
});

// A wrapper (pg_wrapper, an asdf shim, a shell script that execs pg_dump) answers for another file,
// which can change while the wrapper does not: its answer was kept, and a pg_dump 15 read as the 17 it
// had been. Only a compiled program answers for itself.
test('a wrapper script is asked every time: the program it runs may have changed under it', async () => {
  const target = program('wrapped-pg_dump', 'pg_dump (PostgreSQL) 15.4');
  const wrapper = join(dir, 'wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${target.path}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const file = join(dir, 'answers-wrapper.json');
  expect((await new ProgramAnswers(file).ask(wrapper, ['--version'], 5000)).stdout).toBe('pg_dump (PostgreSQL) 15.4\n');
  writeFileSync(target.path, readFileSync(target.path, 'utf8').replace('15.4', '17.2'));
  expect((await new ProgramAnswers(file).ask(wrapper, ['--version'], 5000)).stdout).toBe('pg_dump (PostgreSQL) 17.2\n');
  expect(target.runs()).toBe(2);
});

test('a failed answer is not kept, and a damaged answers file is ignored and written afresh', async () => {
  const failing = program('failing', 'oops', 1);
  const file = join(dir, 'answers-3.json');
  expect((await new ProgramAnswers(file).ask(failing.path, ['--version'], 5000)).status).toBe(1);
  expect((await new ProgramAnswers(file).ask(failing.path, ['--version'], 5000)).status).toBe(1);
  expect(failing.runs()).toBe(2);

  const tool = compiled('damaged');
  writeFileSync(file, '{"not": "answers"');
  expect((await new ProgramAnswers(file).ask(tool, ['--version'], 5000)).stdout).toContain('coreutils');
  markKept(file);
  expect((await new ProgramAnswers(file).ask(tool, ['--version'], 5000)).stdout).toBe('kept answer\n');
});

test('tool discovery finds the version of script tools, asked each time (a script is never taken at its word for another run)', async () => {
  const bin = join(dir, 'bin');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin);
  const runs = join(dir, 'bin.runs');
  writeFileSync(runs, '');
  for (const tool of ['pg_dump', 'pg_restore', 'psql', 'pg_dumpall']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho run >> '${runs}'\necho '${tool} (PostgreSQL) 17.1'\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const file = join(dir, 'answers-4.json');
  const first = await discoverClientTools({ explicitDir: bin, answers: new ProgramAnswers(file) });
  const second = await discoverClientTools({ explicitDir: bin, answers: new ProgramAnswers(file) });
  expect(second).toEqual(first);
  expect(first.map((set) => set.version)).toEqual(['17.1']);
  expect(readFileSync(runs, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
});

test('an answers file that cannot be replaced (a directory stands at its name) leaves no temp file behind, however often asked', async () => {
  const tool = compiled('unkept');
  const home = join(dir, 'home-blocked');
  const file = join(home, 'program-answers.json');
  mkdirSync(file, { recursive: true });
  for (let i = 0; i < 3; i++) expect(await new ProgramAnswers(file).ask(tool, ['--version'], 5000)).toMatchObject({ status: 0, stdout: expect.stringContaining('coreutils') });
  expect(readdirSync(home)).toEqual(['program-answers.json']);
});

test('a compiled program reached by a link of another name (a multi-call binary, a mise shim) is asked every time: its answer follows the name it was called by', async () => {
  const tools = join(dir, 'multi-call');
  mkdirSync(tools);
  // node answers by the name it was started under (process.argv0), as busybox or mise's shims do.
  const node = realpathSync(process.execPath);
  symlinkSync(node, join(tools, 'pg_dump'));
  symlinkSync(node, join(tools, 'pg_restore'));
  const file = join(dir, 'multi-call-answers.json');
  const args = ['-e', "console.log(require('node:path').basename(process.argv0))"];
  expect((await new ProgramAnswers(file).ask(join(tools, 'pg_dump'), args, 10_000)).stdout).toBe('pg_dump\n');
  expect((await new ProgramAnswers(file).ask(join(tools, 'pg_restore'), args, 10_000)).stdout).toBe('pg_restore\n');
});
