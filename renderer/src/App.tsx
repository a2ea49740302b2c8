// The shell: a left navigation, the current page, and the app-wide dialogs.
// The two pages the app opens on (Overview, Backups) are in the first chunk; the others and the
// dialogs load as chunks of their own, fetched once the first screen is up (prefetchViews), so a
// fresh load of the Backups page compiles and runs only what it shows (issue 17, bench row 7).
import { lazy, Suspense, useEffect, useRef, type ComponentType } from 'react';
import { api } from './api/client.ts';
import { icons, Logo } from './components/icons.tsx';
import { useNow } from './components/hooks.ts';
import { ViewBoundary } from './components/ViewBoundary.tsx';
import { formatBytes, formatClock } from './lib/format.ts';
import { Backups } from './pages/Backups.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { useBackupJob } from './stores/backup-job.ts';
import { PAGE_LABELS, PAGES, transportLabel, type Page } from './lib/pages.ts';
import { checkForUpdate, useAppUpdate, watchChunkFailures } from './stores/app-update.ts';
import { useNav } from './stores/nav.ts';

/** Each view not on the first screen: its chunk's import, stated once, for lazy() and the prefetch. */
const LATER_VIEWS = {
  connections: () => import('./pages/Connections.tsx').then((m) => ({ default: m.Connections })),
  schedules: () => import('./pages/Schedules.tsx').then((m) => ({ default: m.Schedules })),
  destinations: () => import('./pages/Destinations.tsx').then((m) => ({ default: m.Destinations })),
  activity: () => import('./pages/Activity.tsx').then((m) => ({ default: m.Activity })),
  settings: () => import('./pages/Settings.tsx').then((m) => ({ default: m.Settings })),
  profileForm: () => import('./pages/ProfileForm.tsx').then((m) => ({ default: m.ProfileFormDialog })),
  backupNow: () => import('./pages/BackupNowDialog.tsx').then((m) => ({ default: m.BackupNowDialog })),
  restoreWizard: () => import('./pages/RestoreWizard.tsx').then((m) => ({ default: m.RestoreWizard })),
} satisfies Record<string, () => Promise<{ default: ComponentType }>>;

function lazyViews<K extends string>(loaders: Record<K, () => Promise<{ default: ComponentType }>>): Record<K, ComponentType> {
  const views = {} as Record<K, ComponentType>;
  for (const name of Object.keys(loaders) as K[]) {
    // A chunk that will not load may mean the app was rebuilt under this tab (stores/app-update.ts).
    views[name] = lazy(() =>
      loaders[name]().catch((error: unknown) => {
        void checkForUpdate();
        throw error;
      }),
    );
  }
  return views;
}

const later = lazyViews(LATER_VIEWS);

/** After the first screen has painted, while the user reads it: every later view, so a click never waits on a fetch. */
function prefetchViews(): void {
  const fetchAll = () => {
    for (const load of Object.values(LATER_VIEWS)) void load().catch(() => undefined);
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(fetchAll, { timeout: 2000 });
  else setTimeout(fetchAll, 500);
}

const PAGE_VIEWS: Record<Page, ComponentType> = {
  dashboard: Dashboard,
  connections: later.connections,
  backups: Backups,
  schedules: later.schedules,
  destinations: later.destinations,
  activity: later.activity,
  settings: later.settings,
};

export function App() {
  const page = useNav((s) => s.page);
  const first = useRef(true);

  useEffect(() => {
    const onHash = () => useNav.getState().syncFromHash(location.hash);
    window.addEventListener('hashchange', onHash);
    // The store read the hash when its chunk ran; one that moved before this listener existed (Back,
    // a bookmark opened while the app started) would otherwise leave the URL and the page apart.
    onHash();
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // A backup started before a reload still runs in holdfast serve: show it again.
  useEffect(() => {
    void useBackupJob.getState().resume();
    prefetchViews();
  }, []);

  useEffect(() => watchChunkFailures(), []);

  // After navigating, focus moves to the new page's heading (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('.page-header__title')?.focus();
    document.title = `${PAGE_LABELS[page]} · Holdfast`;
  }, [page]);

  const View = PAGE_VIEWS[page];
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar page={page} />
      <main className="main" id="main" tabIndex={-1}>
        <AppUpdatedNotice />
        {/* Keyed by page: a page that failed to load does not stand in for the next one. */}
        <ViewBoundary key={page} what={`The ${PAGE_LABELS[page]} page`}>
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <View />
          </Suspense>
        </ViewBoundary>
      </main>
      {/* Closed until asked for; each renders nothing until its chunk is here, never holding the page. */}
      <ViewBoundary what="The connection form">
        <Suspense fallback={null}>
          <later.profileForm />
        </Suspense>
      </ViewBoundary>
      <ViewBoundary what="The Back up now dialog">
        <Suspense fallback={null}>
          <later.backupNow />
        </Suspense>
      </ViewBoundary>
      <ViewBoundary what="The restore wizard">
        <Suspense fallback={null}>
          <later.restoreWizard />
        </Suspense>
      </ViewBoundary>
    </div>
  );
}

function Sidebar({ page }: { page: Page }) {
  const { navigate, openBackupDialog } = useNav.getState();
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="sidebar__brand">
        <Logo />
        <span>Holdfast</span>
      </div>
      <button type="button" className="btn btn--primary sidebar__cta" onClick={() => openBackupDialog()}>
        {icons.play} Back up now
      </button>
      <ul className="sidebar__list">
        {PAGES.map((name) => (
          <li key={name}>
            <a
              href={`#/${name}`}
              className={`sidebar__link${page === name ? ' is-active' : ''}`}
              aria-current={page === name ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(name);
              }}
            >
              {icons[name]}
              {PAGE_LABELS[name]}
            </a>
          </li>
        ))}
      </ul>
      <RunningJob />
      <p className="sidebar__footer">{transportLabel(api.transport)}</p>
    </nav>
  );
}

/** The app was rebuilt or upgraded under this tab: said before the page reloads itself, or with the button that does. */
function AppUpdatedNotice() {
  const status = useAppUpdate((s) => s.status);
  if (status === 'current') return null;
  return (
    <div className="notice notice--info app-update" role="alert">
      <div className="notice__body">
        <p className="notice__title">Holdfast was updated while this page was open</p>
        <p className="notice__message">{status === 'reloading' ? 'Reloading to the new version…' : 'Reload to use the new version; the pages of the old one cannot be loaded any more.'}</p>
      </div>
      {status === 'ask' ? (
        <button type="button" className="btn btn--small" onClick={() => location.reload()}>
          Reload
        </button>
      ) : null}
    </div>
  );
}

/** A backup running with its dialog closed stays visible here and reopens the dialog. */
function RunningJob() {
  const status = useBackupJob((s) => s.status);
  const profile = useBackupJob((s) => s.profile);
  const progress = useBackupJob((s) => s.progress);
  const startedAt = useBackupJob((s) => s.startedAt);
  const dialogOpen = useNav((s) => s.backupDialog.open);
  const now = useNow(1000, status === 'running');
  if (status !== 'running' || dialogOpen) return null;
  return (
    <button type="button" className="sidebar__job" onClick={() => useNav.getState().openBackupDialog(profile ?? undefined)}>
      <span className="sidebar__job-title">Backing up {profile}</span>
      <span className="sidebar__job-detail">
        {progress?.phase ?? 'starting'} · {formatBytes(progress?.bytes ?? 0)} · {formatClock(startedAt ? now - startedAt : 0)}
      </span>
    </button>
  );
}
