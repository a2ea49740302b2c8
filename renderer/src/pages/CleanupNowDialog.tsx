// "Run cleanup now": the exact backup files retention would delete now (each with its profile, size
// and why), and a confirm that deletes those and nothing else. The newest good full backup of a
// profile is never on the list: the engine's plan keeps it whatever the policy says.
import { Modal } from '../components/Modal.tsx';
import { ErrorNotice, Notice, Spinner } from '../components/ui.tsx';
import { formatBytes, formatDateTime, plural } from '../lib/format.ts';
import { useCleanup } from '../stores/cleanup.ts';

export function CleanupNowDialog() {
  const { status, toDelete, result, error } = useCleanup();
  const { confirm, close } = useCleanup.getState();
  const freed = toDelete.reduce((sum, decision) => sum + decision.size, 0);
  const footer =
    status === 'ready' && toDelete.length > 0 ? (
      <>
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn--danger" onClick={() => void confirm()}>
          Delete {plural(toDelete.length, 'backup')}
        </button>
      </>
    ) : (
      <button type="button" className="btn" onClick={close} disabled={status === 'deleting'}>
        Close
      </button>
    );
  return (
    <Modal open={status !== 'idle'} title="Run cleanup now" onClose={close} footer={footer} size="wide" dismissable={status !== 'deleting'}>
      {status === 'previewing' ? (
        <p role="status">
          <Spinner /> Working out what retention would delete…
        </p>
      ) : null}
      {status === 'ready' && toDelete.length === 0 ? <Notice tone="ok">Nothing to delete: every backup is within its retention policy.</Notice> : null}
      {status === 'ready' && toDelete.length > 0 ? (
        <>
          <p>
            These {plural(toDelete.length, 'backup')} ({formatBytes(freed)}) fall outside their retention policy. Each goes with its .json sidecar and roles file, and its offsite copies. Nothing else
            is deleted, and each profile&apos;s newest good backup is always kept.
          </p>
          <ul className="cleanup-list" aria-label="Files cleanup will delete">
            {toDelete.map((decision) => (
              <li key={decision.id}>
                <span className="mono">{decision.filename}</span>{' '}
                <span className="muted">
                  · {decision.profile} · {formatDateTime(decision.timestamp)} · {formatBytes(decision.size)}
                  {decision.reasons.length ? ` · ${decision.reasons.join('; ')}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {status === 'deleting' ? (
        <p role="status">
          <Spinner /> Deleting…
        </p>
      ) : null}
      {status === 'done' && result ? (
        <Notice tone={result.errors ? 'warn' : 'ok'} title="Cleanup done">
          Deleted {plural(result.deleted, 'backup')}, freed {formatBytes(result.freedBytes)}
          {result.errors ? `; ${plural(result.errors, 'backup')} could not be deleted: ${result.profiles.flatMap((p) => p.errors.map((e) => e.message)).join('; ')}` : ''}.
        </Notice>
      ) : null}
      {status === 'failed' && error ? <ErrorNotice error={error} title="Cleanup could not run" /> : null}
    </Modal>
  );
}
