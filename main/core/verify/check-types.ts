// One check of a verify or a drill, as every shell shows it.

export type CheckStatus = 'ok' | 'failed' | 'skipped';
export interface VerifyCheck {
  /** `cleanup` (restore drills on a designated profile only) reports a drill database left behind; it is not part of the verdict. */
  name: 'exists' | 'size' | 'checksum' | 'decrypt' | 'structure' | 'pg_restore' | 'rowCounts' | 'globals' | 'userCheck' | 'cleanup';
  status: CheckStatus;
  detail: string;
}

/** Records one check's outcome. */
export type AddCheck = (name: VerifyCheck['name'], status: CheckStatus, detail: string) => void;
