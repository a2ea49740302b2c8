// Every backup and every failed attempt, in a sortable, filterable table that stays smooth at tens of
// thousands of rows (only the visible rows are in the DOM), with a details panel beside it.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { setStyle, useStyle } from '../components/geometry.ts';
import { useNow } from '../components/hooks.ts';
import { icons } from '../components/icons.tsx';
import { Badge, EmptyState, ErrorNotice, PageHeader, StatusBadge } from '../components/ui.tsx';
import { filterRows, scopeLabel, sortRows, type BackupRow, type SortKey } from '../lib/backup-rows.ts';
import { formatBytes, formatDateTime, formatDuration, formatRelative, plural } from '../lib/format.ts';
import { useBackups } from '../stores/backups.ts';
import { useNav } from '../stores/nav.ts';
import { useProfiles } from '../stores/profiles.ts';
import { BackupDetails, PinnedBadge, ScopeBadge, VerifiedBadge } from './BackupDetails.tsx';
import { SetDetails } from './SetDetails.tsx';
import { findRow, withExpandedMembers } from '../lib/set-rows.ts';

const ROW_HEIGHT = 44;
// Columns give way when the details panel (or a small window) leaves the table little room (CSS):
// 'wide' ones first, then 'medium' ones; the scope then shows as a badge beside the profile.
const COLUMNS: Array<{ key: SortKey; label: string; numeric?: boolean; shownFrom?: 'wide' | 'medium' }> = [
  { key: 'timestamp', label: 'Taken' },
  { key: 'profile', label: 'Profile' },
  { key: 'database', label: 'Database', shownFrom: 'medium' },
  { key: 'filename', label: 'File', shownFrom: 'wide' },
  { key: 'scope', label: 'Scope', shownFrom: 'medium' },
  { key: 'status', label: 'Status' },
  { key: 'format', label: 'Format', shownFrom: 'medium' },
  { key: 'size', label: 'Size', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true, shownFrom: 'wide' },
  { key: 'verified', label: 'Verified' },
];

const columnClass = (shownFrom: 'wide' | 'medium' | undefined) => (shownFrom ? ` vtable__cell--${shownFrom}` : '');

export function Backups() {
  const rows = useBackups((s) => s.rows);
  const loaded = useBackups((s) => s.loaded);
  const error = useBackups((s) => s.error);
  const sort = useBackups((s) => s.sort);
  const filter = useBackups((s) => s.filter);
  const selectedId = useBackups((s) => s.selectedId);
  const expanded = useBackups((s) => s.expanded);
  const profiles = useProfiles((s) => s.profiles);
  const { setFilter, setSort, select } = useBackups.getState();
  const { openBackupDialog, openRestoreWizard } = useNav.getState();

  useEffect(() => {
    void useBackups.getState().loadOrJoin();
  }, []);

  const visible = useMemo(() => sortRows(filterRows(rows, filter), sort.key, sort.direction), [rows, filter, sort]);
  // A set's members follow it, in the set's order, when it is expanded; they are never rows of their own.
  const shown = useMemo(() => withExpandedMembers(visible, expanded), [visible, expanded]);
  const selected = selectedId ? findRow(rows, selectedId) : undefined;
  const sets = rows.filter((r) => r.set).length;
  const profileNames = useMemo(() => [...new Set([...profiles.map((p) => p.name), ...rows.map((r) => r.profile)])].sort(), [profiles, rows]);

  return (
    <>
      <PageHeader
        title="Backups"
        subtitle={
          loaded
            ? `${plural(rows.filter((r) => r.backup).length, 'backup')}${sets ? ` · ${plural(sets, 'whole-server set')}` : ''} · ${plural(rows.filter((r) => !r.backup && !r.set).length, 'failed or unfinished attempt')}`
            : 'Loading…'
        }
        actions={
          <>
            <button type="button" className="btn" onClick={() => openRestoreWizard()} disabled={!rows.some((r) => r.status === 'completed')}>
              {icons.restore} Restore…
            </button>
            <button type="button" className="btn btn--primary" onClick={() => openBackupDialog()}>
              {icons.play} Back up now
            </button>
          </>
        }
      />
      {error ? <ErrorNotice error={error} /> : null}
      {loaded && rows.length === 0 ? (
        <EmptyState
          title="No backups yet"
          action={
            <button type="button" className="btn btn--primary" onClick={() => openBackupDialog()} disabled={profiles.length === 0}>
              {icons.play} Back up now
            </button>
          }
        >
          {profiles.length === 0
            ? 'Add a connection first, then take a backup: it appears here with its checksum, row counts and verification state.'
            : 'Take a backup now, or add a schedule. Each backup appears here with its checksum, row counts and verification state.'}
        </EmptyState>
      ) : (
        <div className={`backups${selected ? ' backups--with-details' : ''}`}>
          <section className="card backups__table" aria-label="Backup list">
            <div className="toolbar" role="search">
              <label className="visually-hidden" htmlFor="backup-search">
                Search backups
              </label>
              <input
                id="backup-search"
                className="input toolbar__search"
                type="search"
                placeholder="Search file, profile, database, schema only, error…"
                value={filter.text}
                onChange={(event) => setFilter({ text: event.target.value })}
              />
              <label className="visually-hidden" htmlFor="backup-profile">
                Profile
              </label>
              <select id="backup-profile" className="input" value={filter.profile} onChange={(event) => setFilter({ profile: event.target.value })}>
                <option value="">All profiles</option>
                {profileNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
              <label className="visually-hidden" htmlFor="backup-status">
                Status
              </label>
              <select id="backup-status" className="input" value={filter.status} onChange={(event) => setFilter({ status: event.target.value as typeof filter.status })}>
                <option value="all">Any status</option>
                <option value="good">Usable</option>
                <option value="problems">Needs attention</option>
                <option value="completed">Completed</option>
                <option value="failed">Failed</option>
                <option value="interrupted">Interrupted</option>
                <option value="partial">Partial set</option>
                <option value="cancelled">Cancelled</option>
                <option value="missing">File missing</option>
                <option value="running">Running</option>
              </select>
              <span className="toolbar__count" aria-live="polite">
                {visible.length.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')}
              </span>
            </div>
            <BackupTable rows={shown} selectedId={selectedId} expanded={expanded} onSelect={select} sortKey={sort.key} direction={sort.direction} onSort={setSort} />
          </section>
          {selected?.set ? <SetDetails row={selected} onClose={() => select(null)} /> : selected ? <BackupDetails row={selected} onClose={() => select(null)} /> : null}
        </div>
      )}
    </>
  );
}

interface TableProps {
  rows: BackupRow[];
  selectedId: string | null;
  expanded: ReadonlySet<string>;
  onSelect: (id: string) => void;
  sortKey: SortKey;
  direction: 'asc' | 'desc';
  onSort: (key: SortKey) => void;
}

function BackupTable({ rows, selectedId, expanded, onSelect, sortKey, direction, onSort }: TableProps) {
  const { toggleExpanded } = useBackups.getState();
  const scrollRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const now = useNow(60_000);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  useStyle(innerRef, { height: `${virtualizer.getTotalSize()}px` });

  const moveSelection = (from: number, delta: number) => {
    const next = Math.min(rows.length - 1, Math.max(0, from + delta));
    const row = rows[next];
    if (!row) return;
    onSelect(row.id);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus());
  };

  return (
    <div className="vtable" role="table" aria-label="Backups" aria-rowcount={rows.length + 1}>
      <div className="vtable__head" role="rowgroup">
        <div className="vtable__row vtable__row--head" role="row" aria-rowindex={1}>
          {COLUMNS.map((column) => (
            <div
              key={column.key}
              role="columnheader"
              className={`vtable__cell vtable__cell--${column.key}${columnClass(column.shownFrom)}${column.numeric ? ' num' : ''}`}
              aria-sort={sortKey === column.key ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button type="button" className="sort-button" onClick={() => onSort(column.key)}>
                {column.label}
                <span className="sort-button__arrow" aria-hidden="true">
                  {sortKey === column.key ? (direction === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </div>
          ))}
        </div>
      </div>
      <div className="vtable__scroll" ref={scrollRef} role="rowgroup">
        {rows.length === 0 ? <p className="vtable__none">No backups match these filters.</p> : null}
        <div className="vtable__inner" ref={innerRef}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={row.id}
                ref={(element) => setStyle(element, { transform: `translateY(${item.start}px)` })}
                data-index={item.index}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={row.id === selectedId}
                tabIndex={row.id === selectedId || (selectedId === null && item.index === 0) ? 0 : -1}
                aria-expanded={row.set ? expanded.has(row.id) : undefined}
                aria-level={row.memberOf ? 2 : undefined}
                className={`vtable__row vtable__row--body${row.id === selectedId ? ' is-selected' : ''}${row.memberOf ? ' vtable__row--member' : ''}${row.set ? ' vtable__row--set' : ''}`}
                onClick={() => onSelect(row.id)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    onSelect(row.id);
                  } else if (row.set && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
                    event.preventDefault();
                    toggleExpanded(row.id, event.key === 'ArrowRight');
                  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                    event.preventDefault();
                    moveSelection(item.index, event.key === 'ArrowDown' ? 1 : -1);
                  }
                }}
              >
                <div role="cell" className="vtable__cell" title={formatDateTime(row.timestamp)}>
                  <span className="cell-primary">{formatDateTime(row.timestamp, false)}</span>
                  <span className="cell-secondary">{formatRelative(row.timestamp, now)}</span>
                </div>
                <div role="cell" className="vtable__cell cell-strong">
                  <span className="vtable__profile-line">
                    {row.set ? (
                      <button
                        type="button"
                        className="btn btn--ghost btn--small vtable__expand"
                        aria-label={`${expanded.has(row.id) ? 'Hide' : 'Show'} the databases of set ${row.id}`}
                        onClick={(event) => {
                          event.stopPropagation();
                          toggleExpanded(row.id);
                        }}
                      >
                        {expanded.has(row.id) ? '▾' : '▸'}
                      </button>
                    ) : null}
                    {row.memberOf ? (
                      <span className="vtable__member-mark" aria-hidden="true">
                        └
                      </span>
                    ) : null}
                    {/* A member is told from its siblings by its database, also when the Database column gives way. */}
                    {row.memberOf ? <span className="mono">{row.database}</span> : row.profile}
                    {row.set ? <Badge tone="info">Set</Badge> : null}
                  </span>
                  {row.set ? <span className="cell-secondary">{row.database}</span> : null}
                  <span className="vtable__scope-inline">
                    <ScopeBadge row={row} />
                  </span>
                  {row.pinned ? <PinnedBadge /> : null}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--medium">
                  {row.database ?? <span className="muted">—</span>}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--wide mono" title={row.filename ?? undefined}>
                  {row.filename ?? <span className="muted">—</span>}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--medium">
                  {row.scope ? (scopeLabel(row.scope) ?? 'Full') : <span className="muted">—</span>}
                </div>
                <div role="cell" className="vtable__cell">
                  <StatusBadge status={row.status} />
                </div>
                <div role="cell" className="vtable__cell vtable__cell--medium">
                  {row.format ? (
                    <>
                      {row.format}
                      {row.compression && row.compression !== 'none' ? <span className="cell-secondary"> · {row.compression}</span> : null}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </div>
                <div role="cell" className="vtable__cell num">
                  {formatBytes(row.size)}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--wide num">
                  {formatDuration(row.duration)}
                </div>
                <div role="cell" className="vtable__cell">
                  {row.verified === null ? <span className="muted">—</span> : <VerifiedBadge row={row} />}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
