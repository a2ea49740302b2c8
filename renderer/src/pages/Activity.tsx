// What happened: backup attempts that failed or were interrupted, and the audit log of every change
// (who added a profile, deleted a backup, restored into which database).
import { useEffect, useMemo, useState } from 'react';
import { useNow } from '../components/hooks.ts';
import { Checkbox, EmptyState, ErrorNotice, PageHeader, StatusBadge } from '../components/ui.tsx';
import { groupSignIns } from '../lib/audit-groups.ts';
import { describeDetail } from '../lib/detail-text.ts';
import { AppLog } from './AppLog.tsx';
import { formatDateTime, formatRelative, plural } from '../lib/format.ts';
import { useBackups } from '../stores/backups.ts';
import { useOverview, type AuditEntry } from '../stores/overview.ts';

export function Activity() {
  const rows = useBackups((s) => s.rows);
  const audit = useOverview((s) => s.audit);
  const [search, setSearch] = useState('');
  // holdfast serve records every HTTP request that changes something; the engine's own entries say
  // the same in words, so the requests are hidden unless asked for.
  const [showRequests, setShowRequests] = useState(false);
  const now = useNow(30_000);

  useEffect(() => {
    void useBackups.getState().loadOrJoin();
    void useOverview.getState().loadAudit();
  }, []);

  const failures = useMemo(
    () =>
      rows
        .filter((row) => row.status === 'failed' || row.status === 'interrupted')
        .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
        .slice(0, 50),
    [rows],
  );
  const entries = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const all = (audit.value ?? []).filter((entry) => showRequests || entry.action !== 'api.request');
    return groupSignIns(
      needle ? all.filter((entry) => [entry.action, entry.actor, entry.target ?? '', JSON.stringify(entry.detail ?? '')].some((field) => field.toLowerCase().includes(needle))) : all,
    );
  }, [audit.value, search, showRequests]);

  return (
    <>
      <PageHeader title="Activity" subtitle="Failed runs, the audit log of every change, and the app log." />
      <section className="card" aria-labelledby="failures-title">
        <header className="card__header">
          <h2 className="card__title" id="failures-title">
            Failed and interrupted runs
          </h2>
        </header>
        {failures.length === 0 ? (
          <p className="card__empty">No failed or interrupted backups. Every attempt so far has completed.</p>
        ) : (
          <table className="table" aria-label="Failed runs">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Profile</th>
                <th scope="col">Status</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((row) => (
                <tr key={row.id}>
                  <TimeCell iso={row.timestamp} now={now} />
                  <td>{row.profile}</td>
                  <td>
                    <StatusBadge status={row.status} />
                  </td>
                  <td className="cell-error text-lines">{row.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="audit-title">
        <header className="card__header">
          <h2 className="card__title" id="audit-title">
            Audit log
          </h2>
          <label className="visually-hidden" htmlFor="audit-search">
            Search the audit log
          </label>
          <div className="card__tools">
            <Checkbox label="Show HTTP requests" checked={showRequests} onChange={setShowRequests} />
            <input id="audit-search" className="input input--narrow" type="search" placeholder="Search actions, targets…" value={search} onChange={(event) => setSearch(event.target.value)} />
          </div>
        </header>
        {audit.error ? <ErrorNotice error={audit.error} /> : null}
        {audit.value && audit.value.length === 0 ? (
          <EmptyState title="Nothing recorded yet">Adding a connection, taking or deleting a backup, restoring and changing schedules are all recorded here.</EmptyState>
        ) : (
          <table className="table" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, index) => (
                <tr key={`${entry.at}-${index}`}>
                  <TimeCell iso={entry.at} now={now} />
                  <td>{entry.actor}</td>
                  <td>
                    <span className={`action-tag action-tag--${actionTone(entry)}`}>{entry.action}</span>
                  </td>
                  <td className="mono break">{entry.target ?? '—'}</td>
                  <td className="cell-secondary">{entry.sessions ? `${plural(entry.sessions.count, 'sign-in')} since ${formatDateTime(entry.sessions.first)}` : describeDetail(entry.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <AppLog />
    </>
  );
}

/** When it happened, exactly, and how long ago. */
function TimeCell({ iso, now }: { iso: string; now: number }) {
  return (
    <td className="nowrap">
      <span className="cell-primary mono">{formatDateTime(iso)}</span>
      <span className="cell-secondary">{formatRelative(iso, now)}</span>
    </td>
  );
}

function actionTone(entry: AuditEntry): 'bad' | 'warn' | 'muted' {
  const detail = entry.detail as { result?: string } | null;
  if (detail?.result === 'failed') return 'bad';
  if (/delete|remove/.test(entry.action)) return 'warn';
  return 'muted';
}
