// "Keep no local copy" (the CLI's --no-local-copy), on the connection form, the Back up now dialog and
// the schedule form. The local files go only once every named copy was read back and matched; with no
// destination, or a directory-format backup (not restorable from a copy yet), the box is disabled and
// says why, as the engine would refuse (backup/offsite-only.ts), so nobody sends what cannot be done.
import { Checkbox } from '../components/ui.tsx';
import { useDestinations } from '../stores/destinations.ts';

/** Why the box cannot be ticked now; undefined when it can. */
export function noLocalCopyBlocked(destinations: readonly string[], format?: string): string | undefined {
  if (destinations.length === 0) return 'Choose at least one destination under “Copy to” first: without one, the local file is the backup’s only copy.';
  if (format === 'directory') return 'A directory-format backup cannot be kept on destinations only: restoring one from a copy is not supported yet.';
  return undefined;
}

export function NoLocalCopyToggle({ checked, onChange, destinations, format }: { checked: boolean; onChange: (checked: boolean) => void; destinations: readonly string[]; format?: string }) {
  const blocked = noLocalCopyBlocked(destinations, format);
  // No destination at all: nothing to choose here, as "Copy to" is not shown either.
  if (useDestinations((s) => s.destinations).length === 0) return null;
  return (
    <Checkbox
      label="Keep no local copy"
      checked={checked && blocked === undefined}
      disabled={blocked !== undefined}
      onChange={onChange}
      hint={blocked ?? 'The local files are removed once every copy has been read back and matched; if any copy fails they stay, and the backup says why.'}
    />
  );
}
