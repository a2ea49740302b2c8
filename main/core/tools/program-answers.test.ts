import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

test('a second process asks the same program nothing: the answer kept in the home is used', async () => {
  const tool = program('pg_dump', 'pg_dump (PostgreSQL) 15.4');
  const file = join(dir, 'answers-1.json');
  const first = await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000);
  const second = await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000);
  expect(first).toEqual({ status: 0, stdout: 'pg_dump (PostgreSQL) 15.4\n' });
  expect(second).toEqual(first);
  expect(tool.runs()).toBe(1);
  // Other arguments are another question.
  await new ProgramAnswers(file).ask(tool.path, ['--help'], 5000);
  expect(tool.runs()).toBe(2);
});

test('a replaced program is asked again, even with the same size and mtime', async () => {
  const tool = program('replaced', 'pg_dump (PostgreSQL) 15.4');
  const file = join(dir, 'answers-2.json');
  await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000);
  // An upgrade writes a new file and renames it over the old one (a new inode).
  const upgraded = join(dir, 'replaced.new');
  writeFileSync(upgraded, readFileSync(tool.path, 'utf8').replace('15.4', '15.9'));
  chmodSync(upgraded, 0o755);
  renameSync(upgraded, tool.path);
  expect((await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000)).stdout).toBe('pg_dump (PostgreSQL) 15.9\n');
  expect(tool.runs()).toBe(2);
});

test('a failed answer is not kept, and a damaged answers file is ignored and written afresh', async () => {
  const failing = program('failing', 'oops', 1);
  const file = join(dir, 'answers-3.json');
  expect((await new ProgramAnswers(file).ask(failing.path, ['--version'], 5000)).status).toBe(1);
  expect((await new ProgramAnswers(file).ask(failing.path, ['--version'], 5000)).status).toBe(1);
  expect(failing.runs()).toBe(2);

  const tool = program('damaged', 'pg_dump (PostgreSQL) 16.2');
  writeFileSync(file, '{"not": "answers"');
  expect((await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000)).stdout).toBe('pg_dump (PostgreSQL) 16.2\n');
  await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000);
  expect(tool.runs()).toBe(1);
});

test('tool discovery asks each pg_dump its version once across processes', async () => {
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
  expect(readFileSync(runs, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
});

test('an answers file that cannot be replaced (a directory stands at its name) leaves no temp file behind, however often asked', async () => {
  const tool = program('unkept', 'pg_dump (PostgreSQL) 16.2');
  const home = join(dir, 'home-blocked');
  const file = join(home, 'program-answers.json');
  mkdirSync(file, { recursive: true });
  for (let i = 0; i < 3; i++) expect(await new ProgramAnswers(file).ask(tool.path, ['--version'], 5000)).toEqual({ status: 0, stdout: 'pg_dump (PostgreSQL) 16.2\n' });
  expect(readdirSync(home)).toEqual(['program-answers.json']);
});
