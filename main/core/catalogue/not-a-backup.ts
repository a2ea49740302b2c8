// What to say when a ref names no backup. A DBA copies ids from what Holdfast prints, and runs have ids
// too: `holdfast list --all`'s failed attempts, a restore's or a drill's "run …" line. "No backup" with
// "run holdfast list" sent them to a list without that id; a run's id is said as a run, with the
// backup (or set) it made or read, whose id is the one to give.
import type Database from 'better-sqlite3';
import { HoldfastError } from '../model/errors.ts';
import { hintText } from '../model/hint-actions.ts';
import type { RunRecord } from '../model/types.ts';

const RUN_WORDS: Record<RunRecord['kind'], { run: string; did: string }> = {
  backup: { run: 'a backup run', did: 'made' },
  restore: { run: 'a restore run', did: 'restored' },
  verify: { run: 'a verify run', did: 'checked' },
};

/** NOT_FOUND for `ref`, saying so when it is a run's id. */
export function noSuchBackup(db: Database.Database, ref: string): HoldfastError {
  const run = db.prepare('SELECT kind, backup_id AS backupId, status FROM runs WHERE id = ?').get(ref) as { kind: RunRecord['kind']; backupId: string | null; status: RunRecord['status'] } | undefined;
  if (!run) return new HoldfastError('NOT_FOUND', `No backup with id or filename "${ref}" in the catalogue.`, '{{list-backups}} to see the backups there are.');
  const { run: what, did } = RUN_WORDS[run.kind];
  const head = `"${ref}" is the id of ${what}, not of a backup:`;
  const set = db.prepare('SELECT id FROM backup_sets WHERE run_id = ?').pluck().get(ref) as string | undefined;
  if (set !== undefined) return new HoldfastError('NOT_FOUND', `${head} the run that took backup set ${set}.`, `Give the set's id, ${hintText(set)}, instead.`);
  const backup =
    run.backupId === null ? undefined : (db.prepare('SELECT id, filename, status FROM backups WHERE id = ?').get(run.backupId) as { id: string; filename: string; status: string } | undefined);
  if (backup === undefined) {
    const why = {
      running: 'is still running and has made no backup yet',
      completed: 'ended and made no backup',
      failed: 'failed and made no backup',
      interrupted: 'was interrupted and made no backup',
    }[run.status];
    return new HoldfastError('NOT_FOUND', `${head} the run ${why}.`, `{{list-backups}} to see the backups there are (their ids), and holdfast runs log ${hintText(ref)} for what its tools said.`);
  }
  if (backup.status === 'deleted')
    return new HoldfastError('NOT_FOUND', `${head} the run that ${did} backup ${backup.id} (${backup.filename}), which has since been deleted.`, '{{list-backups}} to see the backups there are.');
  return new HoldfastError('NOT_FOUND', `${head} the run that ${did} backup ${backup.id} (${backup.filename}).`, `Give the backup's id, ${hintText(backup.id)}, instead.`);
}
