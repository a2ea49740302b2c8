// Who a backup is encrypted to, on the connection form, the schedule form and "Back up now": inherit
// (the next level decides), these keys (the keyring's, and any other age1… recipients), or not
// encrypted — with what will actually apply underneath, by the engine's own precedence. The engine
// checks again; only a super-admin may choose (an admin's choice is refused with the step to take).
import { useEffect } from 'react';
import type { ChoiceLevels } from '../../../main/core/encryption/precedence.ts';
import { appliedEncryption, defaultRecipients, type EncryptChoice } from '../lib/encrypt-choice.ts';
import { useKeys } from '../stores/keys.ts';
import { useOverview } from '../stores/overview.ts';

export function EncryptToPicker({
  level,
  choice,
  onChange,
  above,
}: {
  level: 'profile' | 'schedule' | 'backup';
  choice: EncryptChoice;
  onChange: (choice: EncryptChoice) => void;
  /** The levels below this one (the connection's choice), as the engine would see them. */
  above: Omit<ChoiceLevels, 'setting' | 'own'>;
}) {
  const keys = useKeys((s) => s.keys);
  const keysLoaded = useKeys((s) => s.loaded);
  const settingEntry = useOverview((s) => s.settings.value?.entries.find((entry) => entry.name === 'encryption-key'));
  const settingsLoaded = useOverview((s) => s.settings.value !== null && s.settings.value !== undefined);
  useEffect(() => {
    if (!keysLoaded) void useKeys.getState().load();
    if (!settingsLoaded) void useOverview.getState().loadSettings();
  }, [keysLoaded, settingsLoaded]);

  const own = choice.mode === 'inherit' ? undefined : choice.mode === 'none' ? ('none' as const) : [...choice.keys, ...choice.other.split(/[\s,]+/).filter(Boolean)];
  const label = level === 'profile' ? 'this connection' : level === 'schedule' ? 'this schedule' : 'this backup';
  const levels: ChoiceLevels =
    level === 'profile' ? { profile: { value: own ?? null, label }, setting: defaultRecipients(settingEntry) } : { own: { value: own, label }, ...above, setting: defaultRecipients(settingEntry) };
  const keysChoice = choice.mode === 'keys' ? choice : { mode: 'keys' as const, keys: [], other: '' };

  return (
    <fieldset className="encrypt-picker" aria-label="Encryption">
      <legend className="field__label">Encryption</legend>
      <div className="segmented">
        {(
          [
            // Plain "Inherit": the line below says what that means here (and a label naming the connection
            // would also answer for the form's Connection field).
            ['inherit', 'Inherit'],
            ['keys', 'These keys'],
            ['none', 'Not encrypted'],
          ] as const
        ).map(([mode, text]) => (
          <label key={mode} className={`segmented__option${choice.mode === mode ? ' is-checked' : ''}`}>
            <input type="radio" name={`encrypt-${level}`} value={mode} checked={choice.mode === mode} onChange={() => onChange(mode === 'keys' ? keysChoice : { mode })} />
            {text}
          </label>
        ))}
      </div>
      {choice.mode === 'keys' ? (
        <div className="encrypt-picker__keys">
          {keys.length === 0 ? <p className="muted">No keys on this machine yet (Settings › Keys); give recipients below.</p> : null}
          {keys.map((key) => (
            <label key={key.name} className="check">
              <input
                type="checkbox"
                checked={choice.keys.includes(key.name)}
                onChange={(event) => onChange({ ...choice, keys: event.target.checked ? [...choice.keys, key.name] : choice.keys.filter((name) => name !== key.name) })}
              />
              <span>
                <span className="mono">{key.name}</span> <span className="muted">{key.kind === 'passphrase' ? 'passphrase' : `${key.recipient.slice(0, 16)}…`}</span>
              </span>
            </label>
          ))}
          <label className="field__label" htmlFor={`encrypt-other-${level}`}>
            Other recipients (age1…, comma-separated)
          </label>
          <input
            id={`encrypt-other-${level}`}
            className="input mono"
            value={choice.other}
            onChange={(event) => onChange({ ...choice, other: event.target.value })}
            spellCheck={false}
            autoComplete="off"
          />
        </div>
      ) : null}
      <p className="field__hint" role="status">
        {appliedEncryption(levels, keys)}
      </p>
    </fieldset>
  );
}
