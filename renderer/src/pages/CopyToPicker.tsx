// "Copy to": which destinations a backup started now is copied to, starting from the connection's
// own defaults. Each copy is read back and compared before it counts; a failed copy never fails the backup.
import { useEffect } from 'react';
import { Checkbox } from '../components/ui.tsx';
import { useDestinations } from '../stores/destinations.ts';

export function CopyToPicker({ defaults, chosen, onChange }: { defaults: readonly string[]; chosen: string[] | null; onChange: (names: string[]) => void }) {
  const destinations = useDestinations((s) => s.destinations);
  const loaded = useDestinations((s) => s.loaded);
  useEffect(() => {
    if (!loaded) void useDestinations.getState().load();
  }, [loaded]);
  if (destinations.length === 0) return null;
  const selected = chosen ?? [...defaults];
  return (
    <fieldset className="fieldset" aria-label="Copy to">
      <legend className="field__label">Copy to</legend>
      {destinations.map((destination) => (
        <Checkbox
          key={destination.name}
          label={destination.name}
          checked={selected.includes(destination.name)}
          onChange={(checked) => onChange(checked ? [...selected, destination.name] : selected.filter((name) => name !== destination.name))}
        />
      ))}
    </fieldset>
  );
}
