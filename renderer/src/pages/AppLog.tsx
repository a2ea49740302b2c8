// The Activity page's app log: the newest lines of holdfast.log, filtered by level and text, so a DBA
// reads what the engine said (a retried notification, a failed backup's reason) without a terminal.
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';
import { ErrorNotice } from '../components/ui.tsx';
import { formatDateTime } from '../lib/format.ts';
import { describeDetail } from '../lib/detail-text.ts';

type LogEntry = ChannelOutput<'log.read'>[number];
type Level = 'info' | 'warn' | 'error';

export function AppLog() {
  const [level, setLevel] = useState<Level>('info');
  const [search, setSearch] = useState('');
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      void api.call('log.read', { level, ...(search.trim() ? { search: search.trim() } : {}), limit: 200 }).then((result) => {
        if (!current) return;
        if (result.ok) setEntries(result.value);
        setError(result.ok ? null : result.error);
      });
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [level, search]);

  return (
    <section className="card" aria-labelledby="log-title">
      <header className="card__header">
        <h2 className="card__title" id="log-title">
          App log
        </h2>
        <div className="card__tools">
          <label className="visually-hidden" htmlFor="log-level">
            Lowest level shown
          </label>
          <select id="log-level" className="input input--narrow" value={level} onChange={(event) => setLevel(event.target.value as Level)}>
            <option value="info">Everything</option>
            <option value="warn">Warnings and errors</option>
            <option value="error">Errors only</option>
          </select>
          <label className="visually-hidden" htmlFor="log-search">
            Search the app log
          </label>
          <input id="log-search" className="input input--narrow" type="search" placeholder="Search the log…" value={search} onChange={(event) => setSearch(event.target.value)} />
        </div>
      </header>
      {error ? <ErrorNotice error={error} /> : null}
      {entries && entries.length === 0 ? (
        <p className="card__empty">No log lines match.</p>
      ) : (
        <table className="table table--compact" aria-label="App log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Level</th>
              <th scope="col">Message</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {(entries ?? []).map((entry, index) => (
              <tr key={`${entry.at}-${index}`}>
                <td className="nowrap mono">{formatDateTime(entry.at)}</td>
                <td>
                  <span className={`action-tag${entry.level === 'info' ? '' : ` action-tag--${entry.level === 'error' ? 'bad' : 'warn'}`}`}>{entry.level}</span>
                </td>
                <td>{entry.message}</td>
                <td className="cell-secondary break">{describeDetail(entry.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
