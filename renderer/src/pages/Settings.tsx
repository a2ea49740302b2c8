// The engine's configuration: each setting with its value in force and where it comes from. The ones
// the app may change have an editor; a change is in force for the next operation, with no restart.
// A value set by an environment variable wins over the app, so it is shown as such and not editable.
import { useEffect } from 'react';
import { Badge, ErrorNotice, PageHeader, Spinner } from '../components/ui.tsx';
import { api } from '../api/client.ts';
import { useOverview } from '../stores/overview.ts';
import { KeysCard } from './KeysCard.tsx';
import { NotificationChannels } from './NotificationChannels.tsx';
import { SettingRow, type SettingEntry } from './SettingRow.tsx';

/** The Encryption group (the default recipients) is shown in the Keys card, beside the keys. */
const GROUPS: Array<Exclude<SettingEntry['group'], 'Encryption'>> = ['Storage', 'Retention', 'Schedules', 'Limits'];

export function Settings() {
  const settings = useOverview((s) => s.settings);

  useEffect(() => {
    void useOverview.getState().loadSettings();
  }, []);

  const s = settings.value;
  return (
    <>
      <PageHeader title="Settings" subtitle="Changes apply to the next backup, restore or schedule, without a restart. An environment variable that is set wins over the app." />
      {settings.error ? <ErrorNotice error={settings.error} /> : null}
      {!s ? (
        settings.error ? null : (
          <Spinner label="Loading settings" />
        )
      ) : (
        <div className="settings">
          {GROUPS.map((group) => (
            <section className="card" aria-label={group} key={group}>
              <header className="card__header">
                <h2 className="card__title">{group}</h2>
              </header>
              <dl className="settings__list">
                {group === 'Storage' ? (
                  <div className="settings__row">
                    <dt>Holdfast home</dt>
                    <dd>
                      <span className="mono break">{s.home}</span>
                      <code className="env">HOLDFAST_HOME</code>
                    </dd>
                  </div>
                ) : null}
                {s.entries
                  .filter((entry) => entry.group === group)
                  .map((entry) => (
                    <SettingRow entry={entry} key={entry.name} />
                  ))}
              </dl>
            </section>
          ))}
          <NotificationChannels fromEnvironment={s.notifications} />
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
