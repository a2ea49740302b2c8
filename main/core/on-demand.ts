// The engine's operations that only some commands use, in one module that the facade (holdfast.ts)
// imports when one of them is first asked for, and hands to the backup sets (sets/backup-sets.ts:
// SetOperations) for theirs. Every
// `holdfast` command loads the facade before it does anything, and a backup needs none of these
// (issue 12, item 22). One module, not one import() each: esbuild makes a chunk for every set of
// entry points that shares code, and thirty small chunks cost more to find and read than the bytes
// they leave out (main/cli/startup-weight.test.ts counts them).
//
// A process that stays up (serve, the daemon) loads them at start instead, with everything else
// loaded on first use (process/first-use.ts says why).
export { adoptDestination, adoptDirectory } from './storage/adopt.ts';
export { importDump } from './backup/import-dump.ts';
export { importUpload } from './backup/import-upload.ts';
export { leftBehind } from './drill/left-behind.ts';
export { testRestore } from './drill/test-restore.ts';
export { restoreBackup } from './restore/restore.ts';
export { deleteBackup } from './retention/delete-backup.ts';
export { cleanup } from './retention/operations.ts';
export { cleanupStoredPolicies } from './retention/copy-cleanup.ts';
export { deleteSet } from './sets/delete-set.ts';
export { drillSet } from './sets/drill-set.ts';
export { restoreSet } from './sets/restore-set.ts';
export { manifestChecksum, takeSet } from './sets/take-set.ts';
export { engineHealth } from './stats/engine-health.ts';
export { verifyBackup } from './verify/verify.ts';
