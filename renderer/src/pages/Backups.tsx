// Every backup, whole-server set and failed attempt, in a sortable, filterable table that stays smooth
// at a hundred thousand rows: the catalogue sorts and filters, the page asks for the rows on screen a
// page at a time (stores/backup-pages.ts), and only the visible rows are in the DOM. A set is one row
// that expands to its members (lib/paged-layout.ts). A details panel, or a set's drawer, beside it.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { setStyle, useStyle } from '../components/geometry.ts';
import { useNow } from '../components/hooks.ts';
import { FileName } from '../components/FileName.tsx';
import { icons } from '../components/icons.tsx';
import { BadgeOf, EmptyState, ErrorNotice, PageHeader, StatusBadge } from '../components/ui.tsx';
import { encryptionBadge, scopeBadge, SET_BADGE } from '../lib/badges.ts';
import { scopeLabel, type SortKey } from '../lib/backup-rows.ts';
import { COLUMNS, countText, profileChoices, headCellClass, ROW_HEIGHT, SEARCH_PLACEHOLDER, STATUS_FILTERS } from '../lib/backup-columns.ts';
import { pagedLayout } from '../lib/paged-layout.ts';
import { backupsHeader } from '../lib/set-rows.ts';
import { useCleanup } from '../stores/cleanup.ts';
import { CleanupNowDialog } from './CleanupNowDialog.tsx';
import { findRow, PAGE_SIZE, useBackupPages } from '../stores/backup-pages.ts';
import { formatBytes, formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';
import { useBackups } from '../stores/backups.ts';
import { useNav } from '../stores/nav.ts';
import { useProfiles } from '../stores/profiles.ts';
import { BackupDetails, ImportedBadge, PinnedBadge, ScopeBadge, VerifiedBadge } from './BackupDetails.tsx';
import { SetDetails } from './SetDetails.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { shown, shownOr } from '../lib/shown.ts';

export function Backups() {
  const total = useBackupPages((s) => s.total);
  const counts = useBackupPages((s) => s.counts);
  const listed = useBackupPages((s) => s.profiles);
  const error = useBackupPages((s) => s.error);
  const sort = useBackupPages((s) => s.sort);
  const filter = useBackupPages((s) => s.filter);
  const selectedId = useBackups((s) => s.selectedId);
  const expanded = useBackups((s) => s.expanded);
  const selected = useBackupPages((s) => findRow(s.pages, selectedId));
  const profiles = useProfiles((s) => s.profiles);
  const { setFilter, setSort } = useBackupPages.getState();
  const { select } = useBackups.getState();
  const { openBackupDialog, openRestoreWizard } = useNav.getState();
  const [importing, setImporting] = useState(false);

  useEffect(() => {
    void useBackupPages.getState().openOrJoin();
  }, []);

  const loaded = total !== null;
  const everything = counts.backups + counts.attempts + counts.running + counts.sets;
  const profileNames = useMemo(
    () =>
      profileChoices(
        profiles.map((p) => p.name),
        listed,
      ),
    [profiles, listed],
  );

  return (
    <>
      <PageHeader
        title="Backups"
        subtitle={loaded ? backupsHeader(counts) : 'Loading…'}
        actions={
          <>
            <button type="button" className="btn" onClick={() => setImporting(true)}>
              {icons.plus} Import…
            </button>
            <button type="button" className="btn" onClick={() => openRestoreWizard()} disabled={counts.backups === 0 && counts.sets === 0}>
              {icons.restore} Restore…
            </button>
            <button type="button" className="btn" onClick={() => void useCleanup.getState().preview()} disabled={counts.backups === 0 && counts.sets === 0}>
              Run cleanup now…
            </button>
            <button type="button" className="btn btn--primary" onClick={() => openBackupDialog()}>
              {icons.play} Back up now
            </button>
          </>
        }
      />
      <ImportDialog open={importing} onClose={() => setImporting(false)} />
      {error ? <ErrorNotice error={error} /> : null}
      <CleanupNowDialog />
      {loaded && everything === 0 ? (
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
                placeholder={SEARCH_PLACEHOLDER}
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
                {STATUS_FILTERS.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
              <span className="toolbar__count" aria-live="polite">
                {loaded ? countText(total, everything) : null}
              </span>
            </div>
            <BackupTable total={total} selectedId={selectedId} expanded={expanded} onSelect={select} sortKey={sort.key} direction={sort.direction} onSort={setSort} />
          </section>
          {selected?.set ? <SetDetails row={selected} onClose={() => select(null)} /> : selected ? <BackupDetails row={selected} onClose={() => select(null)} /> : null}
        </div>
      )}
    </>
  );
}

interface TableProps {
  /** Rows matching the filter (null until the first page answers); those not loaded yet show as placeholders until their page answers. */
  total: number | null;
  selectedId: string | null;
  expanded: ReadonlySet<string>;
  onSelect: (id: string) => void;
  sortKey: SortKey;
  direction: 'asc' | 'desc';
  onSort: (key: SortKey) => void;
}

function BackupTable({ total, selectedId, expanded, onSelect, sortKey, direction, onSort }: TableProps) {
  const { toggleExpanded } = useBackups.getState();
  const scrollRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const now = useNow(60_000);
  // Subscribed so a page's answer re-renders the rows it fills; rowAt reads them.
  const pages = useBackupPages((s) => s.pages);
  const checkingFiles = useBackupPages((s) => s.checkingFiles);
  const { rowAt, ensure } = useBackupPages.getState();
  // A set's members follow it, in the set's order, when it is expanded; they are never rows of their own.
  const layout = useMemo(() => pagedLayout(total ?? 0, rowAt, pages, PAGE_SIZE, expanded), [total, rowAt, pages, expanded]);
  const count = layout.count;
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  useStyle(innerRef, { height: `${virtualizer.getTotalSize()}px` });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  const firstRow = layout.indexOf(first);
  const lastRow = layout.indexOf(last);
  useEffect(() => {
    if (total !== null && total > 0) ensure(firstRow, lastRow);
  }, [firstRow, lastRow, total, ensure]);

  const moveSelection = (from: number, delta: number) => {
    const next = Math.min(count - 1, Math.max(0, from + delta));
    const row = layout.line(next).row;
    if (!row) return;
    onSelect(row.id);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus());
  };

  return (
    <div className="vtable" role="table" aria-label="Backups" aria-rowcount={count + 1}>
      <div className="vtable__head" role="rowgroup">
        <div className="vtable__row vtable__row--head" role="row" aria-rowindex={1}>
          {COLUMNS.map((column) => (
            <div key={column.key} role="columnheader" className={headCellClass(column)} aria-sort={sortKey === column.key ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
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
        {/* Before the first answer nothing is known: "no match" then would say the catalogue is empty. */}
        {total === null ? (
          <p className="vtable__none" role="status">
            Loading backups…
          </p>
        ) : count === 0 ? (
          <p className="vtable__none">No backups match these filters.</p>
        ) : null}
        <div className="vtable__inner" ref={innerRef}>
          {items.map((item) => {
            const { row } = layout.line(item.index);
            if (!row) {
              return (
                <div
                  key={`loading-${item.index}`}
                  ref={(element) => setStyle(element, { transform: `translateY(${item.start}px)` })}
                  data-index={item.index}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-busy="true"
                  className="vtable__row vtable__row--placeholder"
                >
                  <div role="cell" className="vtable__cell muted">
                    Loading…
                  </div>
                </div>
              );
            }
            const encryption = encryptionBadge(row.backup);
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
                    {row.memberOf ? (
                      <span className="mono vtable__profile-name" title={shownOr(row.database, undefined)}>
                        {shownOr(row.database, null)}
                      </span>
                    ) : (
                      <span className="vtable__profile-name" title={row.profile}>
                        {row.profile}
                      </span>
                    )}
                  </span>
                  {/* The Set badge under the name, so the name has the line (it read "prod…" at 1440 px); the count beside it only where the Database column gives way. */}
                  {row.set ? (
                    <span className="cell-secondary vtable__set-line">
                      <BadgeOf look={SET_BADGE} />
                      <span className="vtable__set-count">{shownOr(row.database, null)}</span>
                    </span>
                  ) : null}
                  {/* One line of marks under the name, the scope among them where its column gives way: the row stays one row high. */}
                  {scopeBadge(row) || row.backup?.imported || row.pinned || encryption ? (
                    <span className="vtable__profile-line">
                      <span className="vtable__scope-inline">
                        <ScopeBadge row={row} />
                      </span>
                      {row.backup?.imported ? <ImportedBadge /> : null}
                      {row.pinned ? <PinnedBadge /> : null}
                      {encryption ? <BadgeOf look={encryption} /> : null}
                    </span>
                  ) : null}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--medium">
                  {/* A span of its own: a flex cell's bare text is cut without the ellipsis. */}
                  {row.database ? (
                    <span className="vtable__text" title={shown(row.database)}>
                      {shown(row.database)}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--wide mono" title={row.filename ?? undefined}>
                  {row.filename ? <FileName name={row.filename} /> : <span className="muted">—</span>}
                </div>
                <div role="cell" className="vtable__cell vtable__cell--medium">
                  {row.scope ? (scopeLabel(row.scope) ?? 'Full') : <span className="muted">—</span>}
                </div>
                <div role="cell" className="vtable__cell">
                  <StatusBadge status={checkingFiles && row.status === 'completed' ? 'checking' : row.status} />
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
                  {row.backup?.imported ? (
                    <span className="muted" title="made elsewhere: no duration of its own">
                      —
                    </span>
                  ) : (
                    formatDuration(row.duration)
                  )}
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
