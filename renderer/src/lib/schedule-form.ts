// Where a refused schedule's error belongs: the engine's cron complaints under the Cron field (the
// field a DBA is looking at), everything else in the notice above the form.
import type { ErrorInfo } from '../api/types.ts';

export function scheduleErrorPlacement(error: ErrorInfo, type: string): { cron: string | null; notice: ErrorInfo | null } {
  if (type === 'custom' && /\bcron expression\b/i.test(error.message)) {
    const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
    return { cron: error.hint ? `${message} ${error.hint}` : message, notice: null };
  }
  return { cron: null, notice: error };
}

/** A cadence in words ("At 03:00, only on Sunday") inside a sentence: only its first letter is lowered, never a day's or month's name. */
export function cadenceInSentence(cadence: string): string {
  return cadence.charAt(0).toLowerCase() + cadence.slice(1);
}

/** The schedule type as the form named it: the engine's "custom" is the "Cron" choice. */
export function scheduleTypeLabel(type: string): string {
  return type === 'custom' ? 'cron' : type;
}
