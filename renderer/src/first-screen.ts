// The Backups page's first screen, drawn from the catalogue's first page before React and the
// pages have loaded (issue 17, bench row 7). This draws the same markup the app's first commit draws
// — shell, header, filters, table head, the rows on screen — from the same rows and the same
// descriptions (columns, badges, icons, labels), with no event handlers; React's first commit
// replaces the whole container (createRoot clears it).
//
// Two callers: in a browser, the entry module draws it from the answer to first-request.js's early
// request as soon as that answer is in, before it loads the app (first-page/early-draw.ts); in
// Electron (no early request) the app draws it from the store (first-screen-store.ts). So this file
// imports nothing that has a side effect or a framework: no store, no API client, no React — the
// entry holds it, and whatever it imports runs before the first screen.
//
// Catalogue strings (profile, database, file names, errors) are hostile input: they only ever
// become text nodes or attribute values, never markup.
import { ICON_SHAPES, ICON_VIEWBOX, LOGO_SHAPES, LOGO_VIEWBOX, type SvgShape } from './components/icon-shapes.ts';
import { COLUMNS, countText, headCellClass, profileChoices, ROW_HEIGHT, SEARCH_PLACEHOLDER, STATUS_FILTERS, tableScrollHeight } from './lib/backup-columns.ts';
import type { ChannelOutput } from './api/types.ts';
import { scopeLabel, type BackupRow, type SortDirection, type SortKey } from './lib/backup-rows.ts';
import { encryptionBadge, IMPORTED_BADGE, PINNED_BADGE, scopeBadge, SET_BADGE, statusBadge, verifiedBadge, type BadgeLook } from './lib/badges.ts';
import { fileNameParts } from './lib/file-name-parts.ts';
import { formatBytes, formatDateTime, formatDuration, formatRelative } from './lib/format.ts';
import { backupsHeader } from './lib/set-rows.ts';
import { PAGE_LABELS, PAGES, transportLabel } from './lib/pages.ts';
import { shown } from './lib/shown.ts';

/** Marks the painted container, so a spec (and a reader of the DOM) can tell it from React's. */
export const FIRST_SCREEN_ATTRIBUTE = 'data-first-screen';
/** Rows below the window, as the table's virtualizer renders them (its overscan). */
const OVERSCAN = 10;
const SVG = 'http://www.w3.org/2000/svg';

type Child = Node | string | null | false;

/** An element with attributes (values as given: setAttribute never parses markup) and children (strings become text nodes). */
function h(tag: string, attributes: Record<string, string | undefined>, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== false) element.append(child);
  return element;
}

/** components/FileName.tsx's markup: the time and the extension stay whole in a narrow cell. */
function fileName(name: string): HTMLElement {
  const { prefix, time, rest, extension } = fileNameParts(name);
  return h(
    'span',
    { class: 'file-name' },
    h(
      'span',
      { class: 'file-name__parts' },
      prefix ? h('span', { class: 'file-name__prefix' }, prefix) : null,
      time ? h('span', { class: 'file-name__time', 'data-part': 'time' }, time) : null,
      rest ? h('span', { class: 'file-name__rest' }, rest) : null,
      extension ? h('span', { class: 'file-name__extension', 'data-part': 'extension' }, extension) : null,
    ),
  );
}

function svg(viewBox: string, className: string, shapes: readonly SvgShape[]): SVGElement {
  const element = document.createElementNS(SVG, 'svg');
  element.setAttribute('viewBox', viewBox);
  element.setAttribute('class', className);
  element.setAttribute('aria-hidden', 'true');
  for (const [tag, attributes] of shapes) {
    const shape = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) shape.setAttribute(name, value);
    element.append(shape);
  }
  return element;
}

const icon = (name: keyof typeof ICON_SHAPES) => svg(ICON_VIEWBOX, 'icon', ICON_SHAPES[name]);

function badge(look: BadgeLook): HTMLElement {
  return h('span', { class: `badge badge--${look.tone}`, title: look.title }, look.dot ? h('span', { class: 'badge__dot', 'aria-hidden': 'true' }) : null, look.label);
}

const muted = (text: string) => h('span', { class: 'muted' }, text);
const dash = () => muted('—');
const button = (className: string, disabled: boolean, ...children: Child[]) => h('button', { type: 'button', class: className, disabled: disabled ? '' : undefined }, ...children);

function sidebar(transport: FirstScreenView['transport']): HTMLElement {
  return h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Main' },
    h('div', { class: 'sidebar__brand' }, svg(LOGO_VIEWBOX, 'logo', LOGO_SHAPES), h('span', {}, 'Holdfast')),
    button('btn btn--primary sidebar__cta', false, icon('play'), ' Back up now'),
    h(
      'ul',
      { class: 'sidebar__list' },
      ...PAGES.map((name) =>
        h(
          'li',
          {},
          h('a', { href: `#/${name}`, class: `sidebar__link${name === 'backups' ? ' is-active' : ''}`, 'aria-current': name === 'backups' ? 'page' : undefined }, icon(name), PAGE_LABELS[name]),
        ),
      ),
    ),
    h('p', { class: 'sidebar__footer' }, transportLabel(transport)),
  );
}

function row(line: BackupRow, index: number, checkingFiles: boolean, now: number): HTMLElement {
  const marks = [line.backup?.imported ? IMPORTED_BADGE : null, line.pinned ? PINNED_BADGE : null, encryptionBadge(line.backup)].filter((look) => look !== null);
  const scope = scopeBadge(line);
  const element = h(
    'div',
    {
      'data-index': String(index),
      role: 'row',
      'aria-rowindex': String(index + 2),
      'aria-selected': 'false',
      tabindex: index === 0 ? '0' : '-1',
      'aria-expanded': line.set ? 'false' : undefined,
      class: `vtable__row vtable__row--body${line.set ? ' vtable__row--set' : ''}`,
    },
    h(
      'div',
      { role: 'cell', class: 'vtable__cell', title: formatDateTime(line.timestamp) },
      h('span', { class: 'cell-primary' }, formatDateTime(line.timestamp, false)),
      h('span', { class: 'cell-secondary' }, formatRelative(line.timestamp, now)),
    ),
    h(
      'div',
      { role: 'cell', class: 'vtable__cell cell-strong' },
      h(
        'span',
        { class: 'vtable__profile-line' },
        line.set ? h('button', { type: 'button', class: 'btn btn--ghost btn--small vtable__expand', 'aria-label': `Show the databases of set ${line.id}` }, '▸') : null,
        h('span', { class: 'vtable__profile-name', title: line.profile }, line.profile),
      ),
      line.set ? h('span', { class: 'cell-secondary vtable__set-line' }, badge(SET_BADGE), h('span', { class: 'vtable__set-count' }, shown(line.database ?? ''))) : null,
      scope || marks.length > 0 ? h('span', { class: 'vtable__profile-line' }, h('span', { class: 'vtable__scope-inline' }, scope ? badge(scope) : null), ...marks.map(badge)) : null,
    ),
    h('div', { role: 'cell', class: 'vtable__cell vtable__cell--medium' }, line.database ? h('span', { class: 'vtable__text', title: shown(line.database) }, shown(line.database)) : dash()),
    h('div', { role: 'cell', class: 'vtable__cell vtable__cell--wide mono', title: line.filename ?? undefined }, line.filename ? fileName(line.filename) : dash()),
    h('div', { role: 'cell', class: 'vtable__cell vtable__cell--medium' }, line.scope ? (scopeLabel(line.scope) ?? 'Full') : dash()),
    h('div', { role: 'cell', class: 'vtable__cell' }, badge(statusBadge(checkingFiles && line.status === 'completed' ? 'checking' : line.status))),
    h(
      'div',
      { role: 'cell', class: 'vtable__cell vtable__cell--medium' },
      ...(line.format ? [line.format, line.compression && line.compression !== 'none' ? h('span', { class: 'cell-secondary' }, ` · ${line.compression}`) : null] : [dash()]),
    ),
    h('div', { role: 'cell', class: 'vtable__cell num' }, formatBytes(line.size)),
    h('div', { role: 'cell', class: 'vtable__cell vtable__cell--wide num' }, formatDuration(line.duration)),
    h('div', { role: 'cell', class: 'vtable__cell' }, line.verified === null ? dash() : badge(verifiedBadge(line))),
  );
  element.style.setProperty('transform', `translateY(${index * ROW_HEIGHT}px)`);
  return element;
}

/** What the first screen shows: the first page's answer as rows, and where the app runs. */
export interface FirstScreenView {
  transport: 'ipc' | 'http';
  /** Rows matching the filter (the table's length). */
  total: number;
  counts: ChannelOutput<'backup.page'>['counts'];
  /** The profiles the catalogue lists (the answer's) and those configured here (profile.list, when known). */
  listedProfiles: readonly string[];
  knownProfiles: readonly string[];
  checkingFiles: boolean;
  sort: { key: SortKey; direction: SortDirection };
  rowAt(index: number): BackupRow | undefined;
}

/**
 * Whether React's first commit for this answer is the table: an empty catalogue, an empty filter or
 * an error is React's to draw (its own notices), never painted here.
 */
export function firstScreenIsTable(view: Pick<FirstScreenView, 'total' | 'counts' | 'rowAt'>): boolean {
  const everything = view.counts.backups + view.counts.attempts + view.counts.sets;
  return everything > 0 && view.total > 0 && view.rowAt(0) !== undefined;
}

/** Draws the Backups page's first screen into root (replacing what is there). Call it only when firstScreenIsTable(view). */
export function drawBackupsFirstScreen(root: HTMLElement, view: FirstScreenView, now = Date.now(), viewportHeight = window.innerHeight): void {
  const { total, counts, checkingFiles, sort, rowAt } = view;
  const everything = counts.backups + counts.attempts + counts.sets;
  const noBackups = counts.backups === 0 && counts.sets === 0;

  const scroll = h('div', { class: 'vtable__scroll', role: 'rowgroup' });
  const inner = h('div', { class: 'vtable__inner' });
  inner.style.setProperty('height', `${total * ROW_HEIGHT}px`);
  scroll.append(inner);
  const table = h(
    'div',
    { class: 'vtable', role: 'table', 'aria-label': 'Backups', 'aria-rowcount': String(total + 1) },
    h(
      'div',
      { class: 'vtable__head', role: 'rowgroup' },
      h(
        'div',
        { class: 'vtable__row vtable__row--head', role: 'row', 'aria-rowindex': '1' },
        ...COLUMNS.map((column) => {
          const sorted = sort.key === column.key;
          return h(
            'div',
            { role: 'columnheader', class: headCellClass(column), 'aria-sort': sorted ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none' },
            h(
              'button',
              { type: 'button', class: 'sort-button' },
              column.label,
              h('span', { class: 'sort-button__arrow', 'aria-hidden': 'true' }, sorted ? (sort.direction === 'asc' ? '▲' : '▼') : ''),
            ),
          );
        }),
      ),
    ),
    scroll,
  );
  const page = h(
    'div',
    { class: 'app', [FIRST_SCREEN_ATTRIBUTE]: '' },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    sidebar(view.transport),
    h(
      'main',
      { class: 'main', id: 'main', tabindex: '-1' },
      h(
        'header',
        { class: 'page-header' },
        h('div', {}, h('h1', { class: 'page-header__title', tabindex: '-1' }, 'Backups'), h('p', { class: 'page-header__subtitle' }, backupsHeader(counts))),
        h(
          'div',
          { class: 'page-header__actions' },
          button('btn', false, icon('plus'), ' Import…'),
          button('btn', noBackups, icon('restore'), ' Restore…'),
          button('btn', noBackups, 'Run cleanup now…'),
          button('btn btn--primary', false, icon('play'), ' Back up now'),
        ),
      ),
      h(
        'div',
        { class: 'backups' },
        h(
          'section',
          { class: 'card backups__table', 'aria-label': 'Backup list' },
          h(
            'div',
            { class: 'toolbar', role: 'search' },
            h('label', { class: 'visually-hidden', for: 'backup-search' }, 'Search backups'),
            h('input', { id: 'backup-search', class: 'input toolbar__search', type: 'search', placeholder: SEARCH_PLACEHOLDER, value: '' }),
            h('label', { class: 'visually-hidden', for: 'backup-profile' }, 'Profile'),
            h(
              'select',
              { id: 'backup-profile', class: 'input' },
              h('option', { value: '' }, 'All profiles'),
              ...profileChoices(view.knownProfiles, view.listedProfiles).map((name) => h('option', { value: name }, name)),
            ),
            h('label', { class: 'visually-hidden', for: 'backup-status' }, 'Status'),
            h('select', { id: 'backup-status', class: 'input' }, ...STATUS_FILTERS.map((option) => h('option', { value: option.value }, option.label))),
            h('span', { class: 'toolbar__count', 'aria-live': 'polite' }, countText(total, everything)),
          ),
          table,
        ),
      ),
    ),
  );
  // As many rows as the virtualizer will render: those in the window and its overscan below. Counted
  // from the viewport's height, not measured: reading the drawn table's height here forced the
  // document's first style and layout before its first paint (48–60 ms under a trace).
  const visible = Math.ceil(tableScrollHeight(viewportHeight) / ROW_HEIGHT) + OVERSCAN;
  for (let index = 0; index < Math.min(total, visible); index += 1) {
    const line = rowAt(index);
    if (!line) break;
    inner.append(row(line, index, checkingFiles, now));
  }
  root.replaceChildren(page);
}
