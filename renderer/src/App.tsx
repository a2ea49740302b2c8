// The shell: a left navigation, the current page, and the app-wide dialogs.
import { useEffect, useRef, type ReactElement } from 'react';
import { api } from './api/client.ts';
import { icons, Logo } from './components/icons.tsx';
import { useNow } from './components/hooks.ts';
import { formatBytes, formatClock } from './lib/format.ts';
import { Activity } from './pages/Activity.tsx';
import { BackupNowDialog } from './pages/BackupNowDialog.tsx';
import { Backups } from './pages/Backups.tsx';
import { Connections } from './pages/Connections.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { Destinations } from './pages/Destinations.tsx';
import { ProfileFormDialog } from './pages/ProfileForm.tsx';
import { RestoreWizard } from './pages/RestoreWizard.tsx';
import { Schedules } from './pages/Schedules.tsx';
import { Settings } from './pages/Settings.tsx';
import { useBackupJob } from './stores/backup-job.ts';
import { PAGES, useNav, type Page } from './stores/nav.ts';

const PAGE_VIEWS: Record<Page, { label: string; view: () => ReactElement }> = {
  dashboard: { label: 'Overview', view: Dashboard },
  connections: { label: 'Connections', view: Connections },
  backups: { label: 'Backups', view: Backups },
  schedules: { label: 'Schedules', view: Schedules },
  destinations: { label: 'Destinations', view: Destinations },
  activity: { label: 'Activity', view: Activity },
  settings: { label: 'Settings', view: Settings },
};

export function App() {
  const page = useNav((s) => s.page);
  const first = useRef(true);

  useEffect(() => {
    const onHash = () => useNav.getState().syncFromHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // A backup started before a reload still runs in holdfast serve: show it again.
  useEffect(() => {
    void useBackupJob.getState().resume();
  }, []);

  // After navigating, focus moves to the new page's heading (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('.page-header__title')?.focus();
    document.title = `${PAGE_VIEWS[page].label} · Holdfast`;
  }, [page]);

  const View = PAGE_VIEWS[page].view;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar page={page} />
      <main className="main" id="main" tabIndex={-1}>
        <View />
      </main>
      <ProfileFormDialog />
      <BackupNowDialog />
      <RestoreWizard />
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
              {PAGE_VIEWS[name].label}
            </a>
          </li>
        ))}
      </ul>
      <RunningJob />
      <p className="sidebar__footer">{api.transport === 'ipc' ? 'Desktop' : 'Browser · holdfast serve'}</p>
    </nav>
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
