// Connection profiles: list, add/edit, test (server version, role, size — each database's for a whole-server one — client tools), remove.
import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/Modal.tsx';
import { icons } from '../components/icons.tsx';
import { Badge, Checkbox, EmptyState, ErrorNotice, Facts, PageHeader, Spinner, TypedConfirm } from '../components/ui.tsx';
import type { ErrorInfo } from '../api/types.ts';
import { formatBytes, plural } from '../lib/format.ts';
import { useNav } from '../stores/nav.ts';
import { useProfiles, type Profile, type TestState } from '../stores/profiles.ts';
import { useSecretStoreName } from '../stores/overview.ts';
import { WholeServerSizesTable } from './WholeServerSizes.tsx';
import { AUTO_PARALLEL_DATABASES } from '../../../main/core/sets/parallel-default.ts';

export function Connections() {
  const profiles = useProfiles((s) => s.profiles);
  const loaded = useProfiles((s) => s.loaded);
  const error = useProfiles((s) => s.error);
  const tests = useProfiles((s) => s.tests);
  const secretStore = useSecretStoreName();
  const [removing, setRemoving] = useState<Profile | null>(null);

  useEffect(() => {
    void useProfiles.getState().load();
  }, []);

  const add = (
    <button type="button" className="btn btn--primary" onClick={() => useProfiles.getState().openForm()}>
      {icons.plus} Add connection
    </button>
  );

  return (
    <>
      <PageHeader title="Connections" subtitle="The PostgreSQL databases Holdfast backs up." actions={profiles.length ? add : undefined} />
      {error ? <ErrorNotice error={error} /> : null}
      {loaded && profiles.length === 0 ? (
        <EmptyState title="No connections yet" action={add}>
          Add a connection to a PostgreSQL database: Holdfast tests it, tells you whether the installed pg_dump can back it up, and keeps the password in {secretStore}.
        </EmptyState>
      ) : (
        <ul className="profile-list" aria-label="Connection profiles">
          {profiles.map((profile) => (
            <ProfileCard key={profile.id} profile={profile} test={tests[profile.name]} onRemove={() => setRemoving(profile)} />
          ))}
        </ul>
      )}
      <RemoveDialog profile={removing} onClose={() => setRemoving(null)} />
    </>
  );
}

function ProfileCard({ profile, test, onRemove }: { profile: Profile; test: TestState | undefined; onRemove: () => void }) {
  const secretStore = useSecretStoreName();
  const { openForm, test: runTest } = useProfiles.getState();
  const target = profile.service ? `service ${profile.service}` : `${profile.user}@${profile.host}:${profile.port}/${profile.wholeServer ? '*' : profile.dbname}`;
  return (
    <li className="card profile" aria-label={profile.name}>
      <div className="profile__head">
        <div>
          <h2 className="profile__name">
            {profile.name}
            {profile.tags.map((tag) => (
              <Badge key={tag} tone={tag === 'production' ? 'bad' : 'muted'}>
                {tag}
              </Badge>
            ))}
          </h2>
          <p className="profile__target mono">{target}</p>
          {profile.wholeServer ? <WholeServerLine wholeServer={profile.wholeServer} /> : null}
          <p className="profile__meta">
            {profile.keychainPassword ? `Password in ${secretStore}` : profile.libpqPasswordFiles ? 'Password from ~/.pgpass or libpq' : 'No password (libpq password files off)'}
            {profile.sslmode ? ` · sslmode ${profile.sslmode}` : ''}
            {encryptionChoice(profile) ? ` · ${encryptionChoice(profile)}` : ''}
            {profile.notes ? ` · ${profile.notes}` : ''}
          </p>
        </div>
        <div className="profile__actions">
          <button type="button" className="btn" onClick={() => void runTest(profile.name)} disabled={test?.status === 'running'}>
            {test?.status === 'running' ? <Spinner label="Testing" /> : null} Test
          </button>
          <button type="button" className="btn" onClick={() => useNav.getState().openBackupDialog(profile.name)}>
            Back up now
          </button>
          <button type="button" className="btn" onClick={() => openForm(profile.name)}>
            Edit
          </button>
          <button type="button" className="btn btn--danger-ghost" onClick={onRemove}>
            Remove
          </button>
        </div>
      </div>
      {test && test.status !== 'running' ? <TestResult test={test} /> : null}
    </li>
  );
}

function TestResult({ test }: { test: Exclude<TestState, { status: 'running' }> }) {
  if (test.status === 'failed') return <ErrorNotice error={test.error} title="Connection test failed" />;
  const r = test.report;
  const role = r.superuser ? 'superuser' : r.readAllData ? 'pg_read_all_data' : 'ordinary role';
  return (
    <div className="test-result" role="status" aria-label="Connection test result">
      <p className="test-result__title">
        <Badge tone={r.clientTools.compatible && r.unreadable.length === 0 && !r.wholeServer?.databases.some((d) => d.problem) ? 'ok' : 'warn'}>{icons.check} Connected</Badge>
      </p>
      <Facts
        items={[
          ['Server', r.serverVersion],
          ['Role', `${r.currentUser} (${role})`],
          r.wholeServer ? ['Databases', `${r.wholeServer.databases.length}, ${formatBytes(r.wholeServer.totalBytes)} in all`] : ['Database size', formatBytes(r.databaseSize)],
          ['SSL', r.ssl ? 'in use' : 'not in use'],
          ['Password', r.passwordSource],
          [
            'pg_dump',
            r.clientTools.compatible ? (
              <>
                <Badge tone="ok">compatible</Badge> {r.clientTools.version} <span className="muted mono">{r.clientTools.dir}</span>
              </>
            ) : (
              <>
                <Badge tone="bad">no match</Badge> {r.clientTools.problem}
              </>
            ),
          ],
        ]}
      />
      {r.wholeServer ? <WholeServerSizesTable sizes={r.wholeServer} /> : null}
      {r.unreadable.length ? (
        <ErrorNotice
          title="Some relations cannot be read"
          error={{
            code: 'BACKUP_FAILED',
            message: `A backup would fail on: ${r.unreadable.slice(0, 8).join(', ')}${r.unreadable.length > 8 ? ` and ${r.unreadable.length - 8} more` : ''}.`,
            hint: 'Grant SELECT on them (or pg_read_all_data), or exclude them from the backup.',
          }}
        />
      ) : null}
    </div>
  );
}

function RemoveDialog({ profile, onClose }: { profile: Profile | null; onClose: () => void }) {
  const [deleteBackups, setDeleteBackups] = useState(false);
  const secretStore = useSecretStoreName();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setDeleteBackups(false);
    setTyped('');
    setError(null);
  }, [profile]);

  const canRemove = Boolean(profile) && !busy && (!deleteBackups || typed === profile?.name);
  return (
    <ConfirmDialog
      open={profile !== null}
      title={`Remove ${profile?.name ?? 'connection'}?`}
      confirmLabel={deleteBackups ? 'Remove and delete backups' : 'Remove connection'}
      disabled={!canRemove}
      onClose={onClose}
      onConfirm={async () => {
        if (!profile) return;
        setBusy(true);
        const result = await useProfiles.getState().remove(profile.name, deleteBackups ? 'delete' : 'keep');
        setBusy(false);
        if (result.ok) onClose();
        else setError(result.error);
      }}
    >
      {error ? <ErrorNotice error={error} /> : null}
      <p>The profile and its password in {secretStore} are removed. Its backups stay listed and restorable unless you delete them too.</p>
      <Checkbox label="Also delete this profile's backup files" checked={deleteBackups} onChange={setDeleteBackups} />
      {deleteBackups && profile ? <TypedConfirm expected={profile.name} value={typed} onChange={setTyped} what="the profile name" /> : null}
    </ConfirmDialog>
  );
}

/**
 * The profile's own choice of encryption, which overrides BACKUP_ENCRYPTION_KEY (`profile show`'s
 * "encrypt to"); null when it leaves it to the default, which Settings › Keys shows.
 */
function encryptionChoice(profile: Profile): string | null {
  if (profile.encryptTo === 'none') return 'Backups never encrypted';
  if (profile.encryptTo?.length) return `Backups encrypted to ${profile.encryptTo.join(', ')}`;
  return null;
}

/** A whole-server profile says so: every database as one set, which it leaves out, how many at once. */
function WholeServerLine({ wholeServer }: { wholeServer: NonNullable<Profile['wholeServer']> }) {
  return (
    <p className="profile__meta" aria-label="Whole server">
      <Badge tone="info">All databases</Badge>
      {wholeServer.excludeDatabases.length ? ` · leaves out ${wholeServer.excludeDatabases.join(', ')}` : ''}
      {` · ${wholeServer.parallelDatabases ? `${plural(wholeServer.parallelDatabases, 'database')} at once` : `databases at once: ${AUTO_PARALLEL_DATABASES}`}`}
    </p>
  );
}
