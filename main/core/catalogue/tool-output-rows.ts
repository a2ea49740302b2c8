// Each run's kept tool stderr (process/tool-output.ts), one row per run in run_tool_output.
import type Database from 'better-sqlite3';
import { keepToolOutput, type KeptToolOutput, type ToolStderr } from '../process/tool-output.ts';

export interface RunToolOutput extends KeptToolOutput {
  runId: string;
  recordedAt: string;
}

/** Replaces what the run kept before (a run records its tools once, at its end). */
export function recordToolOutput(db: Database.Database, runId: string, output: KeptToolOutput): void {
  db.prepare('INSERT OR REPLACE INTO run_tool_output (run_id, output, truncated, recorded_at) VALUES (?, ?, ?, ?)').run(runId, output.text, output.truncated ? 1 : 0, new Date().toISOString());
}

/**
 * Kept at a run's end, whatever the end: a catalogue that cannot take it (a full disk) must not turn
 * a good backup into a failed one, nor hide a failure's own message.
 */
export function keepRunToolOutput(db: Database.Database, runId: string, parts: readonly ToolStderr[]): void {
  const kept = keepToolOutput(parts);
  if (!kept) return;
  try {
    recordToolOutput(db, runId, kept);
  } catch {
    // The run's error, if any, already says what failed; the tool output is a help, not the record.
  }
}

/** By the run's id, or by the id of the backup the run made. */
export function toolOutputOf(db: Database.Database, ref: string): RunToolOutput | undefined {
  const row = db.prepare('SELECT run_id, output, truncated, recorded_at FROM run_tool_output WHERE run_id = ? OR run_id = (SELECT run_id FROM backups WHERE id = ?)').get(ref, ref) as
    { run_id: string; output: string; truncated: number; recorded_at: string } | undefined;
  return row ? { runId: row.run_id, text: row.output, truncated: row.truncated === 1, recordedAt: row.recorded_at } : undefined;
}
