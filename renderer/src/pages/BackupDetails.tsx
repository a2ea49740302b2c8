// One backup in full: what it is, what it holds (tables and their exact row counts), how it was
// taken, and what has been proven about it, with the actions that prove more or remove it.
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import type { BackupMetadata, ChannelOutput } from '../api/types.ts';
import { DeleteDialog } from '../components/DeleteDialog.tsx';
import { icons } from '../components/icons.tsx';
import { Badge, BadgeOf, ErrorNotice, Facts, Notice, Spinner, StatusBadge } from '../components/ui.tsx';
import { IMPORTED_BADGE, KEY_NOT_HERE_BADGE, PINNED_BADGE, scopeBadge, verifiedBadge } from '../lib/badges.ts';
import { drillWord } from '../../../main/core/model/drill-words.ts';
import { isLastUsableBackup, type BackupRow } from '../lib/backup-rows.ts';
import { formatBytes, formatCount, formatDateTime, formatDuration, formatRelative, plural } from '../lib/format.ts';
import { useBackups, type ActionState } from '../stores/backups.ts';
import { useNav } from '../stores/nav.ts';
import { BackupCopies } from './BackupCopies.tsx';
import { RESTORE_TOOLS, ToolOutput } from './ToolOutput.tsx';
import { encryptedTo, missingKeyReason, useKeys } from '../stores/keys.ts';
import { DATABASE_NOT_RECORDED } from '../../../main/core/model/unknown-database.ts';
import { shown, shownOr } from '../lib/shown.ts';

export function BackupDetails({ row, onClose }: { row: BackupRow; onClose: () => void }) {
  const action = useBackups((s) => s.actions[row.id]);
  const detail = useBackups((s) => (s.detail?.id === row.id ? s.detail : null));
  const [deleting, setDeleting] = useState(false);
  // The list's summary: what is proven about it comes from there, so it follows every reload.
  const backup = row.backup;
  const { verify, testRestore, cancelAction, loadDetail, setPinned } = useBackups.getState();
  const pinning = useBackups((s) => s.pinning[row.id]);
  const running = action?.status === 'running';
  const cataloged = backup !== null;

  useEffect(() => {
    if (cataloged) loadDetail(row.id);
  }, [row.id, cataloged, loadDetail]);
  const keys = useKeys((s) => s.keys);
  const keysLoaded = useKeys((s) => s.loaded);
  const encryption = detail?.status === 'done' && detail.backup.encrypted ? detail.backup.encryption : undefined;
  useEffect(() => {
    if (encryption) void useKeys.getState().load();
  }, [encryption]);
  const noKeyHere = encryption && keysLoaded ? missingKeyReason(encryption, keys) : null;
  // Kept on its destinations only (or its disk lost): nothing here to download; restore and verify read a copy.
  const localFileGone = detail?.status === 'done' && !detail.backup.localFilePresent;

  return (
    <aside className="card details" aria-label="Backup details">
      <header className="details__header">
        <div>
          <h2 className="details__title mono">{row.filename ?? `Attempt ${row.id}`}</h2>
          <p className="details__subtitle">
            {row.profile} · {formatDateTime(row.timestamp)} ({formatRelative(row.timestamp)})
          </p>
        </div>
        <button type="button" className="btn btn--ghost btn--icon" onClick={onClose} aria-label="Close details">
          {icons.cross}
        </button>
      </header>

      {!backup ? (
        <>
          <p>
            <StatusBadge status={row.status} />
          </p>
          {row.error ? (
            row.status === 'cancelled' ? (
              <p className="muted">Cancelled by a user; nothing was kept. This is not a failure.</p>
            ) : (
              <ErrorNotice title={row.status === 'interrupted' ? 'Interrupted' : 'Why it failed'} error={{ code: 'BACKUP_FAILED', message: row.error, ...(row.hint ? { hint: row.hint } : {}) }} />
            )
          ) : (
            <p className="muted">This attempt produced no backup.</p>
          )}
          <ToolOutput runOrBackupId={row.id} />
        </>
      ) : (
        <>
          <div className="details__actions">
            <button type="button" className="btn" disabled={running || backup.status !== 'completed'} onClick={() => void verify(row.id)}>
              {running && action.kind === 'verify' ? <Spinner label="Verifying" /> : icons.check} Verify
            </button>
            <button type="button" className="btn" disabled={running || backup.status !== 'completed'} onClick={() => void testRestore(row.id)}>
              {running && action.kind === 'testRestore' ? <Spinner label="Test restoring" /> : icons.refresh} Test restore
            </button>
            <button type="button" className="btn" disabled={backup.status !== 'completed'} onClick={() => useNav.getState().openRestoreWizard(row.id)}>
              {icons.restore} Restore…
            </button>
            <button
              type="button"
              className="btn"
              aria-pressed={backup.pinned}
              disabled={pinning?.status === 'running' || backup.status === 'deleted'}
              title={backup.pinned ? 'Pinned: retention keeps it whatever the policy. Unpin to let the policy decide again.' : 'Keep this backup whatever the retention policy'}
              onClick={() => void setPinned(row.id, !backup.pinned)}
            >
              {backup.pinned ? 'Unpin' : 'Pin'}
            </button>
            {api.transport === 'http' && backup.status === 'completed' && backup.format !== 'directory' && detail?.status === 'done' && !localFileGone ? (
              <DownloadLinks row={row} hasRoles={detail?.status === 'done' && detail.backup.globals.filename !== null} />
            ) : null}
            <button type="button" className="btn btn--danger-ghost" disabled={running} onClick={() => setDeleting(true)}>
              Delete
            </button>
            {running ? (
              <button type="button" className="btn btn--ghost" onClick={() => cancelAction(row.id)}>
                Cancel
              </button>
            ) : null}
          </div>
          {backup.keyHere === false ? (
            <p className="details__key-not-here">
              <KeyNotHereBadge />
            </p>
          ) : null}
          {noKeyHere ? <ErrorNotice title="This backup cannot be restored here" error={{ code: 'NO_KEY', message: `This backup cannot be restored here: ${noKeyHere}` }} /> : null}
          {action ? <ActionResult action={action} /> : null}
          {pinning?.status === 'failed' ? <ErrorNotice error={pinning.error} title={backup.pinned ? 'Could not unpin' : 'Could not pin'} /> : null}

          <h3 className="details__section">Proof</h3>
          <Facts
            items={[
              ['Status', <StatusBadge key="s" status={backup.status} />],
              ...(backup.imported ? ([['Origin', <ImportedOrigin key="o" imported={detail?.status === 'done' ? detail.backup.imported : undefined} />]] as Array<[string, ReactNode]>) : []),
              ['Retention', backup.pinned ? <PinnedBadge key="p" /> : <span className="muted">the policy decides</span>],
              [
                'Verified',
                backup.lastVerified ? (
                  <>
                    {<VerifiedBadge row={{ ...row, restoreTest: null }} />} <span className="muted">{formatRelative(backup.lastVerified.at)}</span>
                    {backup.lastVerified.contentChecked === false ? (
                      <span className="muted"> — the stored file is intact; its content could not be checked here, as its key is not on this machine</span>
                    ) : null}
                  </>
                ) : row.verified === 'checked-at-import' ? (
                  <>
                    <VerifiedBadge row={{ ...row, restoreTest: null }} /> <span className="muted">— not verified since; Verify reads the stored file back</span>
                  </>
                ) : (
                  <StatusBadge status="never" />
                ),
              ],
              [
                'Restore drill',
                backup.restoreTest ? (
                  <>
                    {<StatusBadge status={backup.restoreTest.status === 'passed' ? 'drill-passed' : 'drill-failed'} />} <span className="muted">{formatRelative(backup.restoreTest.at)}</span>
                  </>
                ) : (
                  <span className="muted">never run</span>
                ),
              ],
              [
                'Checksum',
                detail?.status === 'done' ? (
                  <span key="c" className="mono break">
                    {detail.backup.checksum}
                  </span>
                ) : (
                  <span className="muted">…</span>
                ),
              ],
            ]}
          />

          {detail?.status === 'done' ? (
            <>
              <BackupCopies backupId={row.id} copies={detail.backup.copies ?? []} />
              <FullRecord backup={detail.backup} />
              <ToolOutput runOrBackupId={row.id} />
            </>
          ) : detail?.status === 'failed' ? (
            <>
              <ErrorNotice title="The backup's details could not be read" error={detail.error} />
              <button type="button" className="btn" onClick={() => loadDetail(row.id)}>
                {icons.refresh} Try again
              </button>
            </>
          ) : (
            <p className="details__running" role="status">
              <Spinner /> Loading tables, row counts and options…
            </p>
          )}
        </>
      )}
      <DeleteBackupDialog row={row} open={deleting} onClose={() => setDeleting(false)} />
    </aside>
  );
}

/** What only backup.show answers: how it was taken, its options, and every table with its exact row count. */
function FullRecord({ backup }: { backup: ChannelOutput<'backup.show'> }) {
  const localFilePresent = backup.localFilePresent;
  const verifiedCopies = (backup.copies ?? []).filter((copy) => copy.state === 'verified').map((copy) => copy.destination);
  const keys = useKeys((s) => s.keys);
  return (
    <>
      <h3 className="details__section">Backup</h3>
      <Facts
        items={[
          // An imported dump that does not say which database it is of: not made up from its profile.
          ['Database', `${shownOr(backup.database, DATABASE_NOT_RECORDED)} on ${backup.version}`],
          ['Format', `${backup.format} · ${backup.compression}`],
          // An imported dump's database was never connected to, nor its dump timed: nothing to say, rather than 0.
          ['Size', backup.imported ? formatBytes(backup.size) : `${formatBytes(backup.size)} (database ${formatBytes(backup.databaseSize)})`],
          ['Duration', backup.imported ? <span className="muted">made elsewhere</span> : formatDuration(backup.duration)],
          ['pg_dump', backup.clientVersion],
          ['Encryption', encryptedTo(backup.encrypted ? backup.encryption : undefined, keys)],
          ...(backup.set === undefined ? [] : [['Backup set', `${shownOr(backup.database, DATABASE_NOT_RECORDED)}, one database of whole-server set ${backup.set}`] satisfies [string, string]]),
          ['Roles file', backup.globals.filename ?? <span className="muted">{backup.globals.note ?? 'none'}</span>],
          [
            'Path',
            localFilePresent || backup.status !== 'completed' ? (
              <span key="p" className="mono break">
                {backup.path}
              </span>
            ) : (
              <span key="p" className="muted">
                {verifiedCopies.length > 0 ? `Not on this machine: kept on its destinations only (${verifiedCopies.join(', ')})` : 'Not on this machine: the file is missing and no copy is verified'}
              </span>
            ),
          ],
          [
            'Id',
            <span key="i" className="mono">
              {backup.id}
            </span>,
          ],
        ]}
      />

      <h3 className="details__section">Options</h3>
      <OptionsList options={backup.options} />

      <h3 className="details__section">
        Tables <span className="muted">({backup.tables.length})</span>
      </h3>
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col" className="num">
              Rows
            </th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(backup.rowCounts)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([table, count]) => (
              <tr key={table}>
                <td className="mono">{shown(table)}</td>
                <td className="num">{formatCount(count)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </>
  );
}

function OptionsList({ options }: { options: BackupMetadata['options'] }) {
  const items: string[] = [];
  if (options.schemaOnly) items.push('Schema only');
  if (options.dataOnly) items.push('Data only');
  if (options.jobs) items.push(`${options.jobs} parallel jobs`);
  for (const [label, list] of [
    ['Tables', options.tables],
    ['Excluded tables', options.excludeTables],
    ['Schemas', options.schemas],
    ['Excluded schemas', options.excludeSchemas],
  ] as const) {
    if (list.length) items.push(`${label}: ${list.join(', ')}`);
  }
  if (options.suffix) items.push(`Suffix: ${options.suffix}`);
  return items.length ? (
    <ul className="chips">
      {items.map((item) => (
        <li key={item}>
          <Badge tone="muted">{item}</Badge>
        </li>
      ))}
    </ul>
  ) : (
    <p className="muted">Everything: schema and data of every table.</p>
  );
}

function ActionResult({ action }: { action: ActionState }) {
  if (action.status === 'running') {
    return (
      <p className="details__running" role="status">
        <Spinner /> {action.kind === 'verify' ? 'Verifying: size, checksum, structure, pg_restore --list…' : 'Restoring into a scratch server and comparing every table…'}
      </p>
    );
  }
  if (action.status === 'failed') return <ErrorNotice error={action.error} title={action.kind === 'verify' ? 'Verify could not run' : 'Test restore could not run'} />;
  if (action.kind === 'verify') {
    const { result } = action;
    // Without its key here only the stored file's checksum was read: not the green "verified".
    const checksumOnly = result.valid && result.checks.some((check) => check.name === 'decrypt' && check.status === 'skipped');
    return (
      <div className={`result-box ${checksumOnly ? 'result-box--warn' : result.valid ? 'result-box--ok' : 'result-box--bad'}`} role="status" aria-label="Verify result">
        <p className="result-box__title">{checksumOnly ? 'Checksum only: the content could not be checked here' : result.valid ? 'Backup verified' : 'Verification failed'}</p>
        <ul className="checks">
          {result.checks.map((check) => (
            <li key={check.name} className={`checks__item checks__item--${check.status}`}>
              <span className="checks__mark" aria-hidden="true">
                {check.status === 'ok' ? '✓' : check.status === 'failed' ? '✗' : '–'}
              </span>
              <span className="checks__name">{check.name}</span>
              <span className="checks__detail">{check.detail}</span>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const { result } = action;
  return (
    <div className={`result-box ${result.ok ? 'result-box--ok' : 'result-box--bad'}`} role="status" aria-label="Test restore result">
      <p className="result-box__title">
        {drillWord(result)} <span className="muted">in {formatDuration(result.durationMs)}</span>
      </p>
      {result.server ? <p className="muted">{result.server}</p> : null}
      {result.error ? <p>{result.error}</p> : null}
      {result.verdict === 'not-run' ? <p className="muted">This says nothing about the backup: its last drill result stands.</p> : null}
      <ToolOutput runOrBackupId={result.runId} tools={RESTORE_TOOLS} />
      <p>
        {result.tables.filter((t) => t.actual === t.expected).length} of {plural(result.tables.length, 'table')} restored with matching row counts.
      </p>
      {result.sandbox ? (
        <p className="muted">
          Sandboxed: the backup's code ran as the ordinary role <span className="mono">{result.sandbox.restoredAs}</span>, in a server run by OS user{' '}
          <span className="mono">{result.sandbox.osUser}</span> {result.sandbox.network === 'none' ? 'with no network' : 'with no TCP port'}.
        </p>
      ) : null}
      {result.restoredWithout.length > 0 ? (
        <>
          <p>Restored without (these need a superuser, which a drill never uses):</p>
          <ul className="checks" aria-label="Restored without">
            {result.restoredWithout.map((problem) => (
              <li key={problem.object} className="checks__item checks__item--skipped">
                <span className="checks__mark" aria-hidden="true">
                  –
                </span>
                <span className="checks__name mono">{problem.object}</span>
                <span className="checks__detail">{problem.message}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {result.notes.length > 0 ? (
        <ul className="muted" aria-label="Drill notes">
          {result.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * Plain links to serve's streamed download (the session cookie rides along): the browser's own save
 * dialog, no copy in the page's memory. The desktop app has no such route yet.
 */
function DownloadLinks({ row, hasRoles }: { row: BackupRow; hasRoles: boolean }) {
  if (!row.filename) return null;
  const href = `/api/backup/${encodeURIComponent(row.filename)}/download`;
  return (
    <>
      <a className="btn" href={href} download={row.filename}>
        Download
      </a>
      {hasRoles ? (
        <a className="btn btn--ghost" href={`${href}?part=roles`} download>
          Roles file
        </a>
      ) : null}
    </>
  );
}

function DeleteBackupDialog({ row, open, onClose }: { row: BackupRow; open: boolean; onClose: () => void }) {
  const expected = row.filename ?? row.id;
  // Only the last usable backup of its database asks for its name typed; the engine's confirmation is then the click.
  // The Backups table holds only pages of the list: the whole list is asked for when the dialog opens,
  // and until it answers the backup counts as the last usable one (the stricter confirmation).
  const lastUsable = useBackups((s) => !s.loaded || isLastUsableBackup(row, s.rows));
  useEffect(() => {
    if (open) void useBackups.getState().loadOrJoin();
  }, [open]);
  return (
    <DeleteDialog
      open={open}
      title="Delete this backup?"
      confirmLabel="Delete backup"
      confirm={expected}
      typed={lastUsable ? { what: 'the file name' } : null}
      remove={(confirm) => useBackups.getState().remove(row.id, confirm)}
      onClose={onClose}
    >
      <p>The file, its checksum sidecar and its roles file are removed from disk ({formatBytes(row.size)}). The catalogue keeps a record that it was deleted, and by whom. This cannot be undone.</p>
      {lastUsable ? (
        <Notice tone="warn" title={`This is the only usable backup of ${row.database ?? row.profile}`}>
          After it is deleted, there is nothing to restore that database from until the next backup completes.
        </Notice>
      ) : (
        <p className="muted">
          Other usable backups of {row.database ?? row.profile} remain. File: <span className="mono">{expected}</span>
        </p>
      )}
    </DeleteDialog>
  );
}

export function VerifiedBadge({ row }: { row: BackupRow }) {
  return <BadgeOf look={verifiedBadge(row)} />;
}

/** An encrypted backup none of whose recipients' secrets is on this machine (the list's keyHere): it cannot be restored here. */
export function KeyNotHereBadge() {
  return <BadgeOf look={KEY_NOT_HERE_BADGE} />;
}

/** Where an imported dump came from, once the full record is loaded. */
function ImportedOrigin({ imported }: { imported: BackupMetadata['imported'] }) {
  return (
    <span title={imported ? `imported ${formatDateTime(imported.at)}` : undefined}>
      <ImportedBadge /> {imported ? <span className="mono">{shown(imported.from)}</span> : null}
    </span>
  );
}

export function ImportedBadge() {
  return <BadgeOf look={IMPORTED_BADGE} />;
}

/** Kept whatever the retention policy (holdfast pin). */
export function PinnedBadge() {
  return <BadgeOf look={PINNED_BADGE} />;
}

/** Nothing for a full backup: the badge is there so half a database never passes for a whole one. */
export function ScopeBadge({ row }: { row: BackupRow }) {
  const look = scopeBadge(row);
  return look ? <BadgeOf look={look} /> : null;
}
