// The engine's configuration, read-only: it comes from environment variables read once at start (a
// bad value stops Holdfast with the variable named), so each value names the variable that sets it.
import { useEffect } from 'react';
import { Badge, ErrorNotice, PageHeader, Spinner } from '../components/ui.tsx';
import { formatBytes, formatDuration } from '../lib/format.ts';
import { api } from '../api/client.ts';
import { useOverview } from '../stores/overview.ts';
import { KeysCard } from './KeysCard.tsx';

export function Settings() {
  const settings = useOverview((s) => s.settings);

  useEffect(() => {
    void useOverview.getState().loadSettings();
  }, []);

  const s = settings.value;
  return (
    <>
      <PageHeader title="Settings" subtitle="Read from the environment when Holdfast starts; change a variable and restart to change a value." />
      {settings.error ? <ErrorNotice error={settings.error} /> : null}
      {!s ? (
        settings.error ? null : (
          <Spinner label="Loading settings" />
        )
      ) : (
        <div className="settings">
          <SettingsCard
            title="Storage"
            rows={[
              ['Backup directory', <span className="mono break">{s.backupDir}</span>, 'BACKUP_DIR'],
              ['Holdfast home', <span className="mono break">{s.home}</span>, 'HOLDFAST_HOME'],
              ['Compression by default', s.compressionDefault ? 'gzip' : 'none', 'BACKUP_COMPRESSION'],
              ['Largest backup', s.maxSizeBytes ? formatBytes(s.maxSizeBytes) : 'no limit', 'BACKUP_MAX_SIZE_MB'],
            ]}
          />
          <SettingsCard
            title="Retention"
            rows={[
              ['Default retention', `${s.retentionDays} days`, 'BACKUP_RETENTION_DAYS'],
              ['Cleanup runs', <span className="mono">{s.schedules.cleanup}</span>, 'BACKUP_CLEANUP_SCHEDULE'],
              ['Stored backups re-verified', <span className="mono">{s.schedules.verify}</span>, 'HOLDFAST_VERIFY_SCHEDULE'],
            ]}
          />
          <SettingsCard
            title="Schedules"
            rows={[
              ['Daily preset', <span className="mono">{s.schedules.daily}</span>, 'BACKUP_DAILY_SCHEDULE'],
              ['Weekly preset', <span className="mono">{s.schedules.weekly}</span>, 'BACKUP_WEEKLY_SCHEDULE'],
              ['Monthly preset', <span className="mono">{s.schedules.monthly}</span>, 'BACKUP_MONTHLY_SCHEDULE'],
              ['Scheduled backups at once', String(s.concurrency), 'BACKUP_CONCURRENCY'],
            ]}
          />
          <SettingsCard
            title="Limits"
            rows={[
              ['Backup timeout', formatDuration(s.timeoutMs), 'BACKUP_TIMEOUT_SECONDS'],
              ['Stall timeout', s.stallMs ? formatDuration(s.stallMs) : 'off', 'BACKUP_STALL_SECONDS'],
              ['Connect timeout', `${s.connectTimeoutSeconds} s`, 'HOLDFAST_CONNECT_TIMEOUT_SECONDS'],
            ]}
          />
          <SettingsCard
            title="Notifications"
            rows={[
              ['Slack', s.notifications.slack ? <Badge tone="ok">configured</Badge> : <Badge tone="muted">not set</Badge>, 'BACKUP_SLACK_WEBHOOK'],
              ['Webhook', s.notifications.webhook ? <Badge tone="ok">configured</Badge> : <Badge tone="muted">not set</Badge>, 'HOLDFAST_WEBHOOK_URL'],
              ['Send', { all: 'every event', failures: 'failures only', none: 'nothing' }[s.notifications.on], 'HOLDFAST_NOTIFY_ON'],
            ]}
          />
          <section className="card settings__wide" aria-labelledby="tools-title">
            <header className="card__header">
              <h2 className="card__title" id="tools-title">
                Client tools
              </h2>
              <code className="env">HOLDFAST_PG_BIN</code>
            </header>
            {s.clientTools.explicitDir ? (
              <p>
                Only <span className="mono">{s.clientTools.explicitDir}</span> is used.
              </p>
            ) : (
              <p className="muted">Found automatically; for each backup the newest major at least the server's is used.</p>
            )}
            {s.clientTools.found.length === 0 ? (
              <ErrorNotice
                error={{ code: 'TOOL_MISSING', message: 'No pg_dump was found, so no backup can run.', hint: 'Install the PostgreSQL client tools (postgresql-client) or set HOLDFAST_PG_BIN.' }}
              />
            ) : (
              <table className="table table--compact" aria-label="Client tools">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Directory</th>
                    <th scope="col">Found via</th>
                  </tr>
                </thead>
                <tbody>
                  {s.clientTools.found.map((tool) => (
                    <tr key={tool.dir}>
                      <td>
                        <Badge tone="info">{tool.version}</Badge>
                      </td>
                      <td className="mono break">{tool.dir}</td>
                      <td>{tool.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <KeysCard />
          <p className="settings__footnote muted">Connected through {api.transport === 'ipc' ? 'the desktop app' : 'holdfast serve (this browser tab)'}.</p>
        </div>
      )}
    </>
  );
}

function SettingsCard({ title, rows }: { title: string; rows: Array<[string, React.ReactNode, string]> }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card__header">
        <h2 className="card__title">{title}</h2>
      </header>
      <dl className="settings__list">
        {rows.map(([label, value, variable]) => (
          <div className="settings__row" key={label}>
            <dt>{label}</dt>
            <dd>
              {value}
              <code className="env">{variable}</code>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
