// A destination's own retention (the CLI's `destination edit --retention`): the keep policy for the
// copies it holds, applied by copies cleanup and the scheduled cleanup; the newest verified copy of
// each connection there always stays. The policy is checked by the engine's own parser, the one the
// CLI uses, and its refusal is shown on the field.
import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../api/types.ts';
import { Modal } from '../components/Modal.tsx';
import { ErrorNotice, Field } from '../components/ui.tsx';
import { useDestinations, type Destination } from '../stores/destinations.ts';

export function DestinationRetentionDialog({ destination, onClose }: { destination: Destination | null; onClose: () => void }) {
  const [policy, setPolicy] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    setPolicy(destination?.retention ?? '');
    setFieldError(undefined);
    setFailure(null);
  }, [destination]);

  const save = async (retention: string | null) => {
    if (!destination) return;
    setSaving(true);
    const result = await useDestinations.getState().edit({ name: destination.name, retention });
    setSaving(false);
    if (result.ok) return onClose();
    // A policy the parser refused belongs on the field; anything else above the form.
    if (result.error.code === 'BAD_INPUT') setFieldError(result.error.message);
    else setFailure(result.error);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(policy.trim() === '' ? null : policy.trim());
  };

  return (
    <Modal
      open={destination !== null}
      title={destination ? `Retention of ${destination.name}` : 'Retention'}
      onClose={onClose}
      footer={
        <>
          {destination?.retention ? (
            <button type="button" className="btn btn--ghost" disabled={saving} onClick={() => void save(null)}>
              Remove retention
            </button>
          ) : null}
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="destination-retention-form" className="btn btn--primary" disabled={saving}>
            Save retention
          </button>
        </>
      }
    >
      <form id="destination-retention-form" className="form" onSubmit={submit} noValidate aria-label="Destination retention">
        {failure ? <ErrorNotice error={failure} /> : null}
        <Field
          label="Keep policy for its copies"
          error={fieldError}
          hint="e.g. 30d, or gfs:7d,4w,12m. Empty: its copies are kept until their backup is deleted. The newest verified copy of each connection there always stays."
        >
          {(control) => (
            <input
              {...control}
              className="input mono"
              value={policy}
              placeholder="gfs:7d,4w,12m"
              autoComplete="off"
              onChange={(event) => {
                setPolicy(event.target.value);
                setFieldError(undefined);
              }}
            />
          )}
        </Field>
      </form>
    </Modal>
  );
}
