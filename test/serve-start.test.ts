// `holdfast serve` answers before it has looked for every backup file (issue 17 item 9: on a
// 10,000-backup home that check was most of its first second), and never shows a file it has not yet
// looked for as fine: backup.page says checkingFiles until the check ends, and a file removed before
// the start is shown missing once it has. No PostgreSQL: the catalogue is written directly.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { invoke } from '../main/contract.ts';
import { loadConfig } from '../main/core/config/config.ts';
import { Holdfast } from '../main/core/holdfast.ts';
import type { BackupPage } from '../main/core/model/backup-page.ts';
import { cleanEnv } from './support/clean-env.ts';
import { makeHome, startCli, waitFor, type TestHome } from './support/holdfast-env.ts';
import { seedBackups } from './support/seeded-home.ts';
import { join } from 'node:path';
import { Catalogue } from '../main/core/catalogue/catalogue.ts';
import { setStatusOf, startingSet, type BackupSet } from '../main/core/sets/set-record.ts';
import { SetStore } from '../main/core/sets/set-rows.ts';
import { CopyRows } from '../main/core/storage/copy-rows.ts';

let home: TestHome | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

describe('the start-up file check', () => {
  test('opened with files later, the engine answers at once: the removed file is "checking", then missing once checked', async () => {
    home = makeHome();
    const backups = seedBackups(home, 30);
    const gone = backups.at(-1)!;
    rmSync(gone.path);
    const { holdfast } = await Holdfast.open(loadConfig(cleanEnv(home.env)), { files: 'later' });
    try {
      const before = await invoke(holdfast, 'backup.page', { limit: 5 });
      if (!before.ok) throw new Error(before.error.message);
      // Its last known state, flagged as not yet checked: the table shows "Checking file…", not "Completed".
      expect(before.value.checkingFiles).toBe(true);
      expect(before.value.items[0]).toMatchObject({ id: gone.id, status: 'completed' });

      const found = await holdfast.fileCheck.run();
      expect(found.missingBackups).toEqual([gone.filename]);
      const after = await invoke(holdfast, 'backup.page', { limit: 5 });
      if (!after.ok) throw new Error(after.error.message);
      expect(after.value.checkingFiles).toBe(false);
      expect(after.value.items[0]).toMatchObject({ id: gone.id, status: 'missing' });
    } finally {
      holdfast.close();
    }
  });

  test('a backup kept only on a destination is not missing; a set member whose file went is missing inside its set, the other member not', async () => {
    home = makeHome();
    const [offsite, kept, gone] = seedBackups(home, 3);
    const catalogue = new Catalogue(join(home.home, 'catalogue.sqlite'));
    try {
      // --no-local-copy: the file went once its copy was read back and matched.
      catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.options.noLocalCopy', json('true')) WHERE id = ?`).run(offsite!.id);
      new CopyRows(catalogue.db).record(catalogue.findBackup(offsite!.id)!, 'offsite', 'verified');
      const members = [kept!, gone!].map((seeded, n) => ({ seeded, database: `db${n}`, backup: catalogue.findBackup(seeded.id)! }));
      const set: BackupSet = { ...startingSet({ id: 'aaaaaaaaaaaa', profile: 'shop', timestamp: members[0]!.backup.timestamp, parallelDatabases: 1 }), expected: ['db0', 'db1'] };
      set.databases = members.map(({ database, backup }) => ({
        database,
        id: backup.id,
        filename: backup.filename,
        checksum: backup.checksum,
        status: 'completed',
        error: null,
        rowCounts: {},
        size: backup.size,
      }));
      set.globals = { filename: 'roles.sql', checksum: `sha256:${'0'.repeat(64)}`, note: null };
      Object.assign(set, setStatusOf(set), { durationMs: 1000 });
      const sets = new SetStore(catalogue.db);
      sets.start(set, catalogue.startRun({ kind: 'backup', profile: 'shop' }));
      sets.finish(set);
      for (const { seeded } of members) catalogue.db.prepare('UPDATE backups SET set_id = ? WHERE id = ?').run(set.id, seeded.id);
    } finally {
      catalogue.close();
    }
    rmSync(offsite!.path);
    rmSync(gone!.path);
    const { holdfast } = await Holdfast.open(loadConfig(cleanEnv(home.env)), { files: 'later' });
    try {
      const found = await holdfast.fileCheck.run();
      expect(found.missingBackups).toEqual([gone!.filename]);
      const page = await invoke(holdfast, 'backup.page', {});
      if (!page.ok) throw new Error(page.error.message);
      expect(page.value.items.map((item) => [item.id, item.status])).toEqual([
        ['aaaaaaaaaaaa', 'completed'],
        [offsite!.id, 'completed'],
      ]);
      const listed = page.value.items[0]!;
      expect('members' in listed && listed.members.map((member) => [member.id, member.status])).toEqual([
        [kept!.id, 'completed'],
        [gone!.id, 'missing'],
      ]);
    } finally {
      holdfast.close();
    }
  });

  test('a check beside a delete leaves the delete standing', async () => {
    home = makeHome();
    const [first] = seedBackups(home, 3);
    rmSync(first!.path);
    const { holdfast } = await Holdfast.open(loadConfig(cleanEnv(home.env)), { files: 'later' });
    try {
      const checking = holdfast.fileCheck.run();
      // Deleted while the check had already read it as "completed" (its rows are read before any await).
      holdfast.catalogue.setBackupStatus(first!.id, 'deleted');
      await checking;
      expect(holdfast.catalogue.findBackup(first!.id)?.status).toBe('deleted');
    } finally {
      holdfast.close();
    }
  });
});

describe('retention before the start-up file check has run', () => {
  test('waits for the check: a backup whose file vanished while nothing ran never counts as the one kept', async () => {
    home = makeHome();
    const backups = seedBackups(home, 4);
    const [newest, secondNewest] = [backups.at(-1)!, backups.at(-2)!];
    rmSync(newest.path);
    const { holdfast } = await Holdfast.open(loadConfig(cleanEnv(home.env)), { files: 'later' });
    try {
      // A cleanup asked for at once (the cron's slot, "Run cleanup now"), before serve started its check:
      // "1d" keeps none of these day-old backups by age, so the newest good one is all it keeps.
      const summary = await holdfast.cleanup({ profile: 'shop', policy: '1d', dryRun: false });
      expect(holdfast.catalogue.findBackup(newest.id)?.status).toBe('missing');
      // Counted by its last known "completed", the vanished file was "kept" and this, the only backup
      // still on disk, was deleted.
      expect(holdfast.catalogue.findBackup(secondNewest.id)?.status).toBe('completed');
      expect(summary.deleted).toBe(2);
      expect(holdfast.fileCheck.done).toBe(true);
    } finally {
      holdfast.close();
    }
  });
});

describe('holdfast serve on a large home', () => {
  test('asked nothing, it still checks every file soon after it listens: the removed file is marked missing', async () => {
    home = makeHome();
    const backups = seedBackups(home, 1200);
    // In the middle of the third batch of 500: the check goes on past its first batches unasked.
    const gone = backups[1100]!;
    rmSync(gone.path);
    const child = startCli(['serve', '--no-schedules'], home.env, { stdout: true });
    const statusOf = (id: string) => {
      const catalogue = new Catalogue(join(home!.home, 'catalogue.sqlite'));
      try {
        return catalogue.findBackup(id)?.status;
      } finally {
        catalogue.close();
      }
    };
    try {
      await waitFor('the file check to mark the removed file missing', () => statusOf(gone.id) === 'missing' || undefined, 60_000);
      expect(statusOf(backups[1099]!.id)).toBe('completed');
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 120_000);

  test('answers its first request while the file check runs; the file removed before start is shown missing once checked, never fine', async () => {
    home = makeHome();
    const backups = seedBackups(home, 3000);
    const gone = backups.at(-1)!;
    rmSync(gone.path);
    const child = startCli(['serve'], home.env, { stdout: true });
    try {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const url = new URL(await waitFor('the URL', () => /Holdfast UI: (http:\/\/\S+)\n/.exec(out)?.[1], 60_000));
      const page = async (): Promise<BackupPage> => {
        const response = await fetch(`${url.origin}/api/rpc/backup.page`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${url.searchParams.get('token')}` },
          body: JSON.stringify({ limit: 50 }),
        });
        expect(response.status).toBe(200);
        const envelope = (await response.json()) as { ok: true; value: BackupPage };
        return envelope.value;
      };
      const first = await page();
      expect(first.items).toHaveLength(50);
      expect(first.total).toBe(3000);
      // Answered before the check began (it starts after the first answer, in batches): never held behind it.
      expect(first.checkingFiles).toBe(true);
      // Every answer, while checking or after: the removed file reads "completed" only while checkingFiles says so.
      const answers: BackupPage[] = [first];
      const settled = await waitFor('the file check to end', async () => {
        const answer = await page();
        answers.push(answer);
        return answer.checkingFiles ? undefined : answer;
      });
      for (const answer of answers) {
        const row = answer.items.find((item) => item.id === gone.id)!;
        if (!answer.checkingFiles) expect(row.status).toBe('missing');
        else expect(['completed', 'missing']).toContain(row.status);
      }
      expect(settled.items[0]).toMatchObject({ id: gone.id, status: 'missing' });
      expect(settled.items.slice(1).every((item) => item.status === 'completed')).toBe(true);
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 120_000);
});

describe('holdfast serve through the bundle (npm run build first)', () => {
  test('what the bundle leaves out of Fastify is never reached: the UI, its files, the API, a 404 and a stop', async () => {
    home = makeHome();
    seedBackups(home, 3);
    const child = startCli(['serve', '--no-schedules'], home.env, { stdout: true });
    try {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const url = new URL(await waitFor('the URL', () => /Holdfast UI: (http:\/\/\S+)\n/.exec(out)?.[1], 60_000));
      const authorization = `Bearer ${url.searchParams.get('token')}`;
      // @fastify/static's wildcard route (glob is left out: wildcard: false would need it).
      const index = await fetch(`${url.origin}/`);
      expect(index.status).toBe(200);
      const script = /<script[^>]+src="\/?([^"]+\.js)"/.exec(await index.text())?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${url.origin}/${script}`);
      expect(asset.status).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(0);
      // The contract and a REST route: no Fastify schemas, so no ajv or fast-json-stringify compilers.
      const page = await fetch(`${url.origin}/api/rpc/backup.page`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: '{}' });
      expect(page.status).toBe(200);
      expect(((await page.json()) as { value: BackupPage }).value.total).toBe(3);
      const listed = await fetch(`${url.origin}/api/backup/list`, { headers: { authorization } });
      expect(listed.status).toBe(200);
      const missing = await fetch(`${url.origin}/api/nothing-here`, { headers: { authorization } });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      const badJson = await fetch(`${url.origin}/api/rpc/backup.page`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: '{' });
      expect(badJson.status).toBe(400);
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 120_000);
});
