// What an imported dump that was never verified since is called, in the app and the CLI. `holdfast
// import` walks the dump's structure to its end and, where a pg_restore as new as its pg_dump is here,
// has pg_restore --list read it: a structural check when it arrived, not a verify (which reads the
// stored file back against its checksum later, and says when). The Backups list said "Not verified",
// as if nothing had looked at it, while `holdfast list` said nothing; both now say this.

export const IMPORT_CHECK_WORDS = {
  /** The app's badge. */
  label: 'Checked at import',
  /** `holdfast list`'s mark. */
  cli: 'checked at import (not verified since)',
  /** What it checked, and what a verify would add. */
  title:
    'Its structure was read to the end when it was imported (and pg_restore --list read it where a new enough pg_restore was here): a check when it arrived, not a verify. Run Verify to read the stored file back against its checksum.',
} as const;
