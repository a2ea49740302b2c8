// One setting on the Settings page: its value in force, where that value comes from (environment, app
// setting, default), and — when the app may change it — an editor. A value the environment sets is
// shown as such and cannot be edited: the environment wins, so an edit here would not be in force.
import { useState } from 'react';
import type { ErrorInfo } from '../api/types.ts';
import { Badge, type Tone } from '../components/ui.tsx';
import { useOverview, type Settings } from '../stores/overview.ts';

export type SettingEntry = Settings['entries'][number];

const SOURCES: Record<SettingEntry['source'], { tone: Tone; label: string }> = {
  environment: { tone: 'warn', label: 'Environment' },
  app: { tone: 'info', label: 'App setting' },
  default: { tone: 'muted', label: 'Default' },
};

/** A yes/no setting's values, as its variable spells them. */
const BOOLEAN_SETTINGS = new Set(['compression']);

/** What a setting left empty means, where empty is a value (no default recipients: not encrypted). */
const EMPTY_MEANS: Partial<Record<SettingEntry['name'], string>> = { 'encryption-key': 'none: not encrypted' };

export function SettingRow({ entry }: { entry: SettingEntry }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  const source = SOURCES[entry.source];
  const inputId = `setting-${entry.name}`;

  async function save(value: string | null) {
    setSaving(true);
    const refused = await useOverview.getState().changeSetting(entry.name, value);
    setSaving(false);
    setError(refused);
    if (!refused) setDraft(null);
  }

  const display = BOOLEAN_SETTINGS.has(entry.name) ? (entry.value === 'true' ? 'yes' : 'no') : entry.value === '' ? (EMPTY_MEANS[entry.name] ?? '—') : entry.value;
  return (
    <div className="settings__row" data-setting={entry.name}>
      <dt>
        <label htmlFor={draft === null ? undefined : inputId}>{entry.label}</label>
        <code className="env setting__variable">
          <VariableName name={entry.variable} />
        </code>
      </dt>
      <dd>
        {draft === null ? (
          <span className="setting__value">
            <span className="mono break">{display}</span>
            <Badge tone={source.tone} title={entry.why ?? (entry.changed ? `Changed by ${entry.changed.by} at ${entry.changed.at}` : undefined)}>
              {source.label}
            </Badge>
          </span>
        ) : (
          <form
            className="setting__editor"
            onSubmit={(event) => {
              event.preventDefault();
              void save(draft);
            }}
          >
            {BOOLEAN_SETTINGS.has(entry.name) ? (
              <select id={inputId} className="input" value={draft} onChange={(event) => setDraft(event.target.value)}>
                <option value="true">yes</option>
                <option value="false">no</option>
              </select>
            ) : (
              <input id={inputId} className="input mono" value={draft} onChange={(event) => setDraft(event.target.value)} aria-invalid={Boolean(error)} autoFocus />
            )}
            <button type="submit" className="btn btn--primary btn--small" disabled={saving}>
              Save
            </button>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => {
                setDraft(null);
                setError(null);
              }}
            >
              Cancel
            </button>
          </form>
        )}
        <span className="setting__actions">
          {entry.editable && draft === null ? (
            <button type="button" className="btn btn--small" aria-label={`Change ${entry.label}`} onClick={() => setDraft(entry.value)}>
              Change
            </button>
          ) : null}
          {entry.editable && entry.source === 'app' && draft === null ? (
            <button type="button" className="btn btn--ghost btn--small" aria-label={`Reset ${entry.label} to its default`} onClick={() => void save(null)} disabled={saving}>
              Reset
            </button>
          ) : null}
        </span>
        {entry.source === 'environment' ? <p className="setting__why muted">{entry.why}</p> : null}
        {error ? (
          <p className="field__error setting__why" role="alert">
            {error.message}
            {error.hint ? ` ${error.hint}` : ''}
          </p>
        ) : null}
      </dd>
    </div>
  );
}

/**
 * An environment variable's name that may break after each underscore, and nowhere else: the longest
 * (HOLDFAST_CONNECT_TIMEOUT_SECONDS) is wider than the name column and ran into the value beside it.
 */
function VariableName({ name }: { name: string }) {
  const parts = name.split('_');
  return (
    <>
      {parts.map((part, index) => (
        <span key={index}>
          {part}
          {index < parts.length - 1 ? (
            <>
              _<wbr />
            </>
          ) : null}
        </span>
      ))}
    </>
  );
}
