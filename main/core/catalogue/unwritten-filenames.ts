// A migration of its own file (migrations.ts is near its length limit). Before plannedFilename
// (backup/run-claim.ts), a backup's run named the file it would write as its `filename` from its
// start, so a run that failed or was interrupted before writing it listed a file that never existed
// (`list --all`, the Backups page). Such runs get the name where a run keeps it now: plannedFilename,
// or for a whole-server set's run manifestName (sets/set-record.ts). Only where no backup row has
// that file (no set, its manifest): a run that wrote its file before failing keeps naming it. A detail
// that is not JSON is left as it is (json_valid first): json_type would abort the migration, and with
// it every start, on that one row.
export const MOVE_UNWRITTEN_FILENAMES = `
  UPDATE runs SET detail = json_remove(json_set(detail, '$.plannedFilename', json_extract(detail, '$.filename')), '$.filename')
  WHERE json_valid(detail) AND kind = 'backup' AND status IN ('failed', 'interrupted')
    AND json_type(detail, '$.filename') = 'text' AND json_type(detail, '$.plannedFilename') IS NULL
    AND json_extract(detail, '$.wholeServerSet') IS NOT 1 AND json_type(detail, '$.setId') IS NULL
    AND NOT EXISTS (SELECT 1 FROM backups WHERE backups.filename = json_extract(runs.detail, '$.filename'));
  UPDATE runs SET detail = json_remove(json_set(detail, '$.manifestName', json_extract(detail, '$.filename')), '$.filename')
  WHERE json_valid(detail) AND kind = 'backup' AND status IN ('failed', 'interrupted')
    AND json_type(detail, '$.filename') = 'text' AND json_type(detail, '$.manifestName') IS NULL
    AND json_extract(detail, '$.wholeServerSet') = 1
    AND NOT EXISTS (SELECT 1 FROM backup_sets WHERE backup_sets.manifest_path = json_extract(runs.detail, '$.filename'));
`;
