// What a restore drill's outcome is called, in the app, the CLI and the REST documentation. A passed
// drill was "Restore-tested" in the Backups list, "Passed" in the details, "restore-tested" in
// `holdfast list` and "Restore drill passed" after a run: four names for one fact a DBA relies on.
// drill-words.test.ts fails when a shell spells an outcome itself.

export const DRILL_WORDS = {
  /** The backup was restored on a scratch server and every check matched. */
  passed: 'Restore-tested',
  failed: 'Restore drill failed',
  /** The drill could not start (no scratch server, no tools): it says nothing about the backup. */
  notRun: 'Restore drill could not run',
} as const;

export type DrillWord = (typeof DRILL_WORDS)[keyof typeof DRILL_WORDS];

/** A drill result's word: `verdict: 'not-run'` is not a verdict on the backup. */
export function drillWord(result: { ok: boolean; verdict?: string | undefined }): DrillWord {
  return result.ok ? DRILL_WORDS.passed : result.verdict === 'not-run' ? DRILL_WORDS.notRun : DRILL_WORDS.failed;
}
