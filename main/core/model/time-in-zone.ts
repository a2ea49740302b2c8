// A moment as a clock in a given zone shows it, the zone named: how a schedule's times are said, by
// the engine's health reasons and by the app alike. Import-free: the renderer reads it too.

/** A moment as a clock in that zone shows it, with the zone: "2026-03-03 04:30 Europe/Paris" (a schedule's next run). */
export function formatInZone(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    return `${iso} (unknown time zone ${timeZone})`;
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${timeZone}`;
}
