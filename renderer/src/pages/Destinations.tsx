// Destinations: the named places beyond the backup directory where copies of backups go (a second
// disk or NAS, an S3-compatible bucket). Each is listed with where it is, can be tested (a small
// object written, read back and removed), given a retention for the copies it holds, and removed
// (what it stores stays where it is).
import { useEffect, useState, type FormEvent } from 'react';
import type { DestinationSpec } from '../../../main/core/storage/destination-settings.ts';
import { DESTINATION_TYPE_LABELS, describeSpec } from '../../../main/core/storage/destination-where.ts';
import type { ErrorInfo } from '../api/types.ts';
import { icons } from '../components/icons.tsx';
import { ConfirmDialog, Modal } from '../components/Modal.tsx';
import { formatDateTime } from '../lib/format.ts';
import { Badge, Checkbox, EmptyState, ErrorNotice, Field, PageHeader } from '../components/ui.tsx';
import { useDestinations, type Destination } from '../stores/destinations.ts';
import { DestinationRetentionDialog } from './DestinationRetentionDialog.tsx';

/** Where a destination is, in words: its directory, or its medium's URL (s3://, azure://, sftp://). */
export function destinationWhere(destination: Destination): string {
  return describeSpec({ type: destination.type, settings: destination.settings } as DestinationSpec);
}

export function Destinations() {
  const destinations = useDestinations((s) => s.destinations);
  const loaded = useDestinations((s) => s.loaded);
  const error = useDestinations((s) => s.error);
  const tests = useDestinations((s) => s.tests);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Destination | null>(null);
  const [retaining, setRetaining] = useState<Destination | null>(null);

  useEffect(() => {
    void useDestinations.getState().load();
  }, []);

  const add = (
    <button type="button" className="btn btn--primary" onClick={() => setAdding(true)}>
      {icons.plus} Add destination
    </button>
  );

  return (
    <>
      <PageHeader
        title="Destinations"
        subtitle="Where copies of backups go besides the backup directory. Each copy is read back and compared before it counts."
        actions={destinations.length ? add : undefined}
      />
      {error ? <ErrorNotice error={error} /> : null}
      {loaded && destinations.length === 0 ? (
        <EmptyState title="No destinations yet" action={add}>
          A backup kept only on this machine is lost with it. Add a second disk, a network share or an S3 bucket, and copy backups there.
        </EmptyState>
      ) : (
        <section className="card">
          <table className="table" aria-label="Destinations">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Where</th>
                <th scope="col">Retention</th>
                {/* This page's own test while it runs or just ran; else the one the catalogue kept. */}
                <th scope="col">Last test</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {destinations.map((destination) => {
                const tested = tests[destination.name];
                return (
                  <tr key={destination.name}>
                    <th scope="row">{destination.name}</th>
                    <td>{DESTINATION_TYPE_LABELS[destination.type]}</td>
                    <td>
                      <code>{destinationWhere(destination)}</code>
                      {destination.source === 'environment' ? <div className="cell-secondary">from the environment</div> : null}
                    </td>
                    <td aria-label={`Retention of ${destination.name}`}>
                      {destination.retention ? <code>{destination.retention}</code> : <span className="muted">none</span>}
                      {destination.source === 'environment' ? null : (
                        <div>
                          <button type="button" className="btn btn--small btn--ghost" onClick={() => setRetaining(destination)}>
                            {destination.retention ? 'Change' : 'Set'} retention
                          </button>
                        </div>
                      )}
                    </td>
                    <td aria-label={`Test of ${destination.name}`}>
                      {tested === undefined ? (
                        <KeptTest lastTest={destination.lastTest} />
                      ) : tested === 'running' ? (
                        <span className="muted">testing…</span>
                      ) : tested.ok ? (
                        <Badge tone="ok">works · {tested.report.elapsedMs} ms</Badge>
                      ) : (
                        <span>
                          <Badge tone="bad">failed</Badge> {tested.error.message}
                        </span>
                      )}
                    </td>
                    <td className="row-actions">
                      <button type="button" className="btn btn--small" onClick={() => void useDestinations.getState().test(destination.name)} disabled={tested === 'running'}>
                        Test
                      </button>
                      {destination.source === 'environment' ? null : (
                        <button type="button" className="btn btn--small btn--ghost" onClick={() => setRemoving(destination)}>
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
      <AddDestinationDialog open={adding} onClose={() => setAdding(false)} />
      <DestinationRetentionDialog destination={retaining} onClose={() => setRetaining(null)} />
      <ConfirmDialog
        open={removing !== null}
        title="Remove this destination?"
        confirmLabel="Remove destination"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing) await useDestinations.getState().remove(removing.name);
          setRemoving(null);
        }}
      >
        <p>{removing ? `${removing.name} (${destinationWhere(removing)}) is forgotten with its stored secret. The copies it holds stay where they are.` : ''}</p>
      </ConfirmDialog>
    </>
  );
}

interface Draft {
  name: string;
  type: 'directory' | 's3';
  path: string;
  bucket: string;
  prefix: string;
  region: string;
  endpoint: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

const EMPTY: Draft = { name: '', type: 'directory', path: '', bucket: '', prefix: '', region: 'us-east-1', endpoint: '', pathStyle: false, accessKeyId: '', secretAccessKey: '' };

function draftErrors(draft: Draft): Partial<Record<keyof Draft, string>> {
  const errors: Partial<Record<keyof Draft, string>> = {};
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(draft.name)) errors.name = 'Letters, digits, ".", "_" or "-", starting with a letter or digit.';
  if (draft.type === 'directory' && !draft.path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(draft.path)) errors.path = 'An absolute path to a directory that exists.';
  if (draft.type === 's3' && !draft.bucket) errors.bucket = 'The bucket is required.';
  if (draft.type === 's3' && Boolean(draft.accessKeyId) !== Boolean(draft.secretAccessKey)) errors.secretAccessKey = 'Give the access key id and the secret together, or neither.';
  return errors;
}

function AddDestinationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof Draft, string>>>({});
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const close = () => {
    setDraft(EMPTY);
    setErrors({});
    setFailure(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = draftErrors(draft);
    setErrors(found);
    if (Object.keys(found).length) return;
    setSaving(true);
    const spec =
      draft.type === 'directory'
        ? { type: 'directory' as const, settings: { path: draft.path } }
        : {
            type: 's3' as const,
            settings: {
              bucket: draft.bucket,
              prefix: draft.prefix,
              region: draft.region || 'us-east-1',
              pathStyle: draft.pathStyle,
              ...(draft.endpoint ? { endpoint: draft.endpoint } : {}),
              ...(draft.accessKeyId ? { accessKeyId: draft.accessKeyId } : {}),
            },
          };
    const result = await useDestinations.getState().add({ name: draft.name, spec, ...(draft.secretAccessKey ? { secretAccessKey: draft.secretAccessKey } : {}) });
    setSaving(false);
    if (!result.ok) return setFailure(result.error);
    close();
    void useDestinations.getState().test(result.value.name);
  };

  const text = (key: keyof Draft, label: string, hint?: string, type = 'text') => (
    <Field label={label} error={errors[key]} hint={hint}>
      {(control) => <input {...control} className="input" type={type} value={String(draft[key])} onChange={(event) => set(key, event.target.value as never)} autoComplete="off" />}
    </Field>
  );

  return (
    <Modal
      open={open}
      title="Add a destination"
      onClose={close}
      footer={
        <>
          <button type="button" className="btn btn--ghost" onClick={close}>
            Cancel
          </button>
          <button type="submit" form="destination-form" className="btn btn--primary" disabled={saving}>
            Add destination
          </button>
        </>
      }
    >
      <form id="destination-form" className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Destination">
        {failure ? <ErrorNotice error={failure} /> : null}
        {text('name', 'Name', 'How backups and copies refer to it, e.g. nas or offsite.')}
        <Field label="Type">
          {(control) => (
            <select {...control} className="input" value={draft.type} onChange={(event) => set('type', event.target.value as Draft['type'])}>
              <option value="directory">A directory (second disk, network share)</option>
              <option value="s3">S3-compatible bucket</option>
            </select>
          )}
        </Field>
        {draft.type === 'directory' ? (
          text('path', 'Directory', 'It must exist already: an unmounted share is refused, not filled on the local disk.')
        ) : (
          <>
            {text('bucket', 'Bucket')}
            {text('prefix', 'Prefix', 'Optional folder inside the bucket.')}
            {text('region', 'Region')}
            {text('endpoint', 'Endpoint', 'For a service other than AWS, e.g. https://minio.example:9000.')}
            <Checkbox label="Path-style addresses (MinIO and most self-hosted services)" checked={draft.pathStyle} onChange={(checked) => set('pathStyle', checked)} />
            {text('accessKeyId', 'Access key id', 'Leave both empty to use the AWS credentials of the machine running Holdfast.')}
            {text('secretAccessKey', 'Secret access key', 'Kept in the secret store of the machine running Holdfast, never in the catalogue.', 'password')}
          </>
        )}
      </form>
    </Modal>
  );
}

/** The last test the catalogue kept (destination.lastTest): when, and whether it worked or why not. */
function KeptTest({ lastTest }: { lastTest: { at: string; ok: boolean; message: string | null } | null }) {
  if (lastTest === null) return <span className="muted">never tested</span>;
  // The date under the badge, not in it: a badge does not wrap, and with the date it pushed the
  // table past its card at 1024 px.
  const when = <div className="cell-secondary">tested {formatDateTime(lastTest.at, false)}</div>;
  return lastTest.ok ? (
    <>
      <Badge tone="ok">works</Badge>
      {when}
    </>
  ) : (
    <>
      <span>
        <Badge tone="bad">failed</Badge> {lastTest.message}
      </span>
      {when}
    </>
  );
}
