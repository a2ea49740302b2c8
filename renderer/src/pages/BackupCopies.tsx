// A backup's copies on named destinations, in the backup details: each copy's state, when it was
// last read back and matched the backup's checksum, and why one does not count; "Re-verify copies"
// reads every copy back again.
import { useState } from 'react';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';
import { icons } from '../components/icons.tsx';
import { Badge, ErrorNotice, Spinner, type Tone } from '../components/ui.tsx';
import { formatDateTime, formatRelative } from '../lib/format.ts';
import { useDestinations } from '../stores/destinations.ts';

type CheckedCopy = ChannelOutput<'backup.verifyCopies'>['copies'][number];
// Recorded copies have no `checked`; a re-read's do ('unreachable': not checked, the recorded state stands).
type CopyView = Pick<CheckedCopy, 'destination' | 'state' | 'error' | 'verifiedAt'> & Partial<Pick<CheckedCopy, 'checked' | 'problem'>>;

const STATE_TONE: Record<CopyView['state'], Tone> = { verified: 'ok', pending: 'info', uploading: 'info', failed: 'bad', missing: 'bad' };

export function BackupCopies({ backupId, copies: recorded }: { backupId: string; copies: readonly CopyView[] }) {
  const [checking, setChecking] = useState(false);
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  // What the last re-read found, until the panel shows another backup.
  const [rechecked, setRechecked] = useState<{ id: string; copies: readonly CopyView[] } | null>(null);
  const copies = rechecked?.id === backupId ? rechecked.copies : recorded;
  if (copies.length === 0) return null;
  const healthy = copies.filter((copy) => copy.state === 'verified').length;

  const recheck = async () => {
    setChecking(true);
    const result = await useDestinations.getState().recheckCopies(backupId);
    setChecking(false);
    setFailure(result.ok ? null : result.error);
    if (result.ok) setRechecked({ id: backupId, copies: result.value.copies });
  };

  return (
    <>
      <h3 className="details__section">
        Copies{' '}
        <span className="muted">
          · {healthy} of {copies.length} verified
        </span>
      </h3>
      <table className="table table--compact" aria-label="Copies">
        <thead>
          <tr>
            <th scope="col">Destination</th>
            <th scope="col">State</th>
            <th scope="col">Checksum matched</th>
          </tr>
        </thead>
        <tbody>
          {copies.map((copy) => (
            <tr key={copy.destination}>
              <th scope="row">{copy.destination}</th>
              <td>
                {copy.checked === 'unreachable' ? (
                  <>
                    <Badge tone="warn">not checked</Badge>
                    <div className="cell-secondary">
                      Destination unreachable; the copy is still recorded as {copy.state}. {copy.problem}
                    </div>
                  </>
                ) : (
                  <>
                    <Badge tone={STATE_TONE[copy.state]}>{copy.state}</Badge>
                    {copy.error ? <div className="cell-secondary">{copy.error}</div> : null}
                  </>
                )}
              </td>
              <td title={copy.verifiedAt ? formatDateTime(copy.verifiedAt) : undefined}>{copy.verifiedAt ? formatRelative(copy.verifiedAt) : <span className="muted">never</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn" disabled={checking} onClick={() => void recheck()}>
        {checking ? <Spinner label="Re-verifying copies" /> : icons.refresh} Re-verify copies
      </button>
      {failure ? <ErrorNotice error={failure} title="The copies could not be re-read" /> : null}
    </>
  );
}
