// The Notifications card of Settings: the channels the environment sets (shown, not editable here),
// the channels added in the app with their choice of events, a "Send test" and the last delivery's
// result, and a form to add one. A webhook URL or SMTP password typed here goes to the secret store.
import { useEffect, useState } from 'react';
import type { ErrorInfo } from '../api/types.ts';
import { Badge, ErrorNotice } from '../components/ui.tsx';
import { useNotify, type NewNotifyChannel, type NotifyChannel } from '../stores/notify.ts';
import type { Settings } from '../stores/overview.ts';

const KINDS = { slack: 'Slack', webhook: 'Webhook', teams: 'Microsoft Teams', discord: 'Discord', email: 'Email (SMTP)' } as const;
type Kind = keyof typeof KINDS;
const EVENTS = { failures: 'Failures only', all: 'Everything', drills: 'Restore drills', copies: 'Offsite copies' } as const;
type Events = keyof typeof EVENTS;
const ENV_VARIABLES: Record<Kind, string> = {
  slack: 'BACKUP_SLACK_WEBHOOK',
  webhook: 'HOLDFAST_WEBHOOK_URL',
  teams: 'HOLDFAST_TEAMS_WEBHOOK',
  discord: 'HOLDFAST_DISCORD_WEBHOOK',
  email: 'HOLDFAST_SMTP_URL',
};

export function NotificationChannels({ fromEnvironment }: { fromEnvironment: Settings['notifications'] }) {
  const { channels, error, testing } = useNotify();
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    void useNotify.getState().load();
  }, []);

  const envKinds = (Object.keys(KINDS) as Kind[]).filter((kind) => fromEnvironment[kind]);
  return (
    <section className="card settings__wide" aria-label="Notifications">
      <header className="card__header">
        <h2 className="card__title">Notifications</h2>
        {adding ? null : (
          <button type="button" className="btn btn--small" onClick={() => setAdding(true)}>
            Add channel
          </button>
        )}
      </header>
      {error ? <ErrorNotice error={error} onDismiss={() => useNotify.setState({ error: null })} /> : null}
      {adding ? <AddChannelForm onDone={() => setAdding(false)} /> : null}
      <table className="table table--compact" aria-label="Notification channels">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Sends</th>
            <th scope="col">Last delivery</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {envKinds.map((kind) => (
            <tr key={`env-${kind}`}>
              <td>
                {KINDS[kind]} <Badge tone="warn">Environment</Badge> <code className="env">{ENV_VARIABLES[kind]}</code>
              </td>
              <td>{{ all: 'Everything', failures: 'Failures only', none: 'Nothing' }[fromEnvironment.on]}</td>
              <td className="muted">—</td>
              <td className="muted">Set where Holdfast starts</td>
            </tr>
          ))}
          {(channels ?? []).map((channel) => (
            <tr key={channel.name} data-channel={channel.name}>
              <td>
                <strong>{channel.name}</strong> <span className="muted">{KINDS[channel.kind]}</span>
                <div className="muted mono break">{channel.where}</div>
              </td>
              <td>{EVENTS[channel.events]}</td>
              <td>
                <LastDelivery channel={channel} />
              </td>
              <td className="notify__actions">
                <button type="button" className="btn btn--small" onClick={() => void useNotify.getState().test(channel.name)} disabled={testing === channel.name}>
                  {testing === channel.name ? 'Sending…' : 'Send test'}
                </button>
                <button type="button" className="btn btn--ghost btn--small" aria-label={`Remove ${channel.name}`} onClick={() => void useNotify.getState().remove(channel.name)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
          {envKinds.length === 0 && channels?.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                No notification channels: add one to hear about failed backups. Desktop notifications are shown either way.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}

function LastDelivery({ channel }: { channel: NotifyChannel }) {
  const last = channel.lastDelivery;
  if (!last) return <span className="muted">never sent</span>;
  return (
    <span role="status" aria-label={`Last delivery of ${channel.name}`}>
      <Badge tone={last.ok ? 'ok' : 'bad'}>{last.ok ? 'Delivered' : 'Failed'}</Badge> <span className="muted">{new Date(last.at).toLocaleString()}</span>
      {last.error ? <div className="field__error">{last.error}</div> : null}
    </span>
  );
}

function AddChannelForm({ onDone }: { onDone: () => void }) {
  const [kind, setKind] = useState<Kind>('email');
  const [name, setName] = useState('');
  const [events, setEvents] = useState<Events>('failures');
  const [url, setUrl] = useState('');
  const [mail, setMail] = useState({ host: '', port: '587', security: 'starttls' as 'tls' | 'starttls' | 'none', user: '', password: '', from: '', to: '' });
  const [error, setError] = useState<ErrorInfo | null>(null);

  async function submit() {
    const input: NewNotifyChannel =
      kind === 'email'
        ? {
            kind,
            name,
            events,
            email: {
              host: mail.host,
              port: Number(mail.port),
              security: mail.security,
              ...(mail.user ? { user: mail.user } : {}),
              from: mail.from,
              to: mail.to
                .split(',')
                .map((address) => address.trim())
                .filter(Boolean),
            },
            ...(mail.password ? { password: mail.password } : {}),
          }
        : { kind, name, events, url };
    const refused = await useNotify.getState().add(input);
    setError(refused);
    if (!refused) onDone();
  }

  const text = (label: string, value: string, onChange: (value: string) => void, type = 'text') => (
    <label className="field">
      <span className="field__label">{label}</span>
      <input className="input" type={type} value={value} autoComplete="off" onChange={(event) => onChange(event.target.value)} />
    </label>
  );
  return (
    <form
      className="notify__form"
      aria-label="Add notification channel"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label className="field">
        <span className="field__label">Kind</span>
        <select className="input" value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
          {(Object.keys(KINDS) as Kind[]).map((value) => (
            <option key={value} value={value}>
              {KINDS[value]}
            </option>
          ))}
        </select>
      </label>
      {text('Name', name, setName)}
      <label className="field">
        <span className="field__label">Send</span>
        <select className="input" value={events} onChange={(event) => setEvents(event.target.value as Events)}>
          {(Object.keys(EVENTS) as Events[]).map((value) => (
            <option key={value} value={value}>
              {EVENTS[value]}
            </option>
          ))}
        </select>
      </label>
      {kind === 'email' ? (
        <>
          {text('SMTP server', mail.host, (host) => setMail({ ...mail, host }))}
          {text('Port', mail.port, (port) => setMail({ ...mail, port }))}
          <label className="field">
            <span className="field__label">Security</span>
            <select className="input" value={mail.security} onChange={(event) => setMail({ ...mail, security: event.target.value as typeof mail.security })}>
              <option value="starttls">STARTTLS (587)</option>
              <option value="tls">TLS (465)</option>
              <option value="none">None (a local relay)</option>
            </select>
          </label>
          {text('SMTP user', mail.user, (user) => setMail({ ...mail, user }))}
          {text('SMTP password', mail.password, (password) => setMail({ ...mail, password }), 'password')}
          {text('From', mail.from, (from) => setMail({ ...mail, from }))}
          {text('To (comma-separated)', mail.to, (to) => setMail({ ...mail, to }))}
        </>
      ) : (
        text('Webhook URL', url, setUrl, 'password')
      )}
      <p className="field__hint notify__wide">The {kind === 'email' ? 'password' : 'webhook URL (it carries its credential)'} is kept in this computer's secret store, never in the catalogue.</p>
      {error ? (
        <p className="field__error notify__wide" role="alert">
          {error.message}
          {error.hint ? ` ${error.hint}` : ''}
        </p>
      ) : null}
      <div className="notify__wide notify__buttons">
        <button type="submit" className="btn btn--primary btn--small">
          Add channel
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
