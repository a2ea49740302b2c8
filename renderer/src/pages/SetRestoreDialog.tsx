// Restore a whole-server set: target server, databases (--only), new or replaced; a preview of every
// chosen database (its tables replaced, lost or new, with their rows) before anything changes; the set's id typed; then each database's row counts.
import { Modal } from '../components/Modal.tsx';
import { icons } from '../components/icons.tsx';
import { Checkbox, ErrorNotice, Field, Notice, Spinner, TypedConfirm } from '../components/ui.tsx';
import type { BackupSet } from '../api/types.ts';
import { useProfiles } from '../stores/profiles.ts';
import { setConfirmation, useSetRestore, type SetRestoreResult } from '../stores/set-restore.ts';
import { WizardNav } from '../components/WizardNav.tsx';
import { ImpactSummary, ImpactTable } from './RestoreImpact.tsx';
import { plural } from '../lib/format.ts';
import { shown, shownOr } from '../lib/shown.ts';

export function SetRestoreDialog({ set, open, onClose }: { set: BackupSet; open: boolean; onClose: () => void }) {
  const step = useSetRestore((s) => s.step);
  return (
    <Modal open={open} title={`Restore backup set ${set.id}`} onClose={onClose} size="wide" dismissable={step !== 'running'}>
      {open ? (
        <div className="wizard__body">
          {step === 'choose' ? <Choose set={set} /> : null}
          {step === 'preview' ? <Preview /> : null}
          {step === 'running' ? (
            <p className="details__running" role="status">
              <Spinner /> Restoring the roles, then each database…
            </p>
          ) : null}
          {step === 'result' ? <Outcome onClose={onClose} /> : null}
        </div>
      ) : null}
    </Modal>
  );
}

function Choose({ set }: { set: BackupSet }) {
  const choices = useSetRestore((s) => s.choices);
  const busy = useSetRestore((s) => s.busy);
  const error = useSetRestore((s) => s.error);
  const profiles = useProfiles((s) => s.profiles);
  const { choose, runPreview } = useSetRestore.getState();
  if (!choices) return null;
  const held = set.databases.filter((member) => member.status === 'completed').map((member) => member.database);
  const toggle = (database: string, on: boolean) => choose({ only: on ? [...choices.only, database] : choices.only.filter((d) => d !== database) });
  return (
    <>
      <Field label="Target server (connection)">
        {(control) => (
          <select {...control} className="input" value={choices.targetProfile} onChange={(event) => choose({ targetProfile: event.target.value })}>
            <option value="">Choose…</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name} — {p.host}:{p.port}
                {p.tags.includes('production') ? ' (production)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset className="choice-list choice-list--compact" aria-label="Databases to restore">
        <legend className="field__label">Databases (each under its own name)</legend>
        {held.map((database) => (
          <Checkbox key={database} label={<span className="mono">{shown(database)}</span>} checked={choices.only.includes(database)} onChange={(on) => toggle(database, on)} />
        ))}
      </fieldset>
      <fieldset className="segmented">
        <legend className="field__label">On the target</legend>
        {(
          [
            ['create', 'Create them (they must not exist)'],
            ['clean', 'Replace them if they exist'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className={`segmented__option${choices.mode === value ? ' is-checked' : ''}`}>
            <input type="radio" name="set-mode" checked={choices.mode === value} onChange={() => choose({ mode: value })} />
            {label}
          </label>
        ))}
      </fieldset>
      {choices.mode === 'clean' ? (
        <Checkbox
          label="End other sessions on those databases"
          checked={choices.terminateConnections}
          onChange={(terminateConnections) => choose({ terminateConnections })}
          hint="Replacing a database fails while others are connected to it."
        />
      ) : null}
      <p className="muted">The set&apos;s roles file is applied first; roles the target already has are kept as they are.</p>
      {error ? <ErrorNotice error={error} title="The preview found a problem" /> : null}
      <WizardNav next={() => void runPreview()} nextLabel="Preview impact" busy={busy} nextDisabled={!choices.targetProfile || choices.only.length === 0} />
    </>
  );
}

function Preview() {
  const preview = useSetRestore((s) => s.preview);
  const choices = useSetRestore((s) => s.choices);
  const confirmText = useSetRestore((s) => s.confirmText);
  const production = useProfiles((s) => Boolean(s.profiles.find((p) => p.name === choices?.targetProfile)?.tags.includes('production')));
  const { setConfirmText, runRestore, back } = useSetRestore.getState();
  if (!preview || !choices) return null;
  const expected = setConfirmation(choices, production);
  const failing = preview.databases.filter((entry) => entry.error !== null).length;
  return (
    <>
      <h3 className="wizard__title">Review: nothing has changed yet</h3>
      {preview.rolesToCreate ? (
        <p className="muted">The roles file creates {preview.rolesToCreate.length ? preview.rolesToCreate.join(', ') : 'no role this server lacks'}, before any database.</p>
      ) : null}
      <DatabaseLines result={preview} replacing={choices.mode === 'clean'} label="Restore preview" />
      <DatabaseImpacts result={preview} />
      {!preview.ok ? (
        <Notice tone="warn" title="This restore would fail">
          Fix what each database above needs, or leave it out, then preview again.
        </Notice>
      ) : null}
      <TypedConfirm expected={expected} value={confirmText} onChange={setConfirmText} what={production ? "the profile and the set's id" : "the set's id"} />
      <WizardNav
        back={back}
        next={() => void runRestore(production)}
        nextLabel="Restore"
        nextDisabled={!preview.ok || confirmText !== expected}
        disabledReason={preview.ok ? undefined : `Can't start: ${plural(failing, 'database')} above would fail. Do what each says, or leave it out, then preview again.`}
      />
    </>
  );
}

/**
 * One line per database: created, replaced, or (an existing empty one, under "Create them") restored
 * into as it is; its tables and rows matched, or why it cannot be.
 */
function DatabaseLines({ result, replacing, label }: { result: SetRestoreResult; replacing: boolean; label: string }) {
  return (
    <ul className="checks" aria-label={label}>
      {result.databases.map((entry) => {
        const restore = entry.result;
        const ok = entry.error === null && (result.dryRun || restore?.ok === true);
        const matching = restore?.tables.filter((t) => t.actual === t.expected).length ?? 0;
        return (
          <li key={entry.database} className={`checks__item checks__item--${ok ? 'ok' : 'failed'}`} data-database={entry.database}>
            <span className="checks__mark" aria-hidden="true">
              {ok ? '✓' : '✗'}
            </span>
            <span className="checks__name mono">{shown(entry.database)}</span>
            <span className="checks__detail">
              {shownOr(entry.error, null) ??
                (result.dryRun
                  ? `${!restore?.target.exists ? 'will be created' : replacing ? `exists (${plural(restore.target.relations, 'relation')}): replaced` : 'exists, empty: restored into it'} · ${plural(restore?.impact.tables.length ?? 0, 'table')}`
                  : `${entry.created ? 'created' : replacing ? 'replaced' : 'restored into the existing database'} · row counts match the backup in ${matching} of ${plural(restore?.tables.length ?? 0, 'table')}`)}
              {entry.error && (entry.appHint ?? entry.hint) ? <span className="checks__hint">{shownOr(entry.appHint ?? entry.hint, null)}</span> : null}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Each chosen database's tables as its own dry run saw them (the single-backup preview's impact):
 * replaced with the rows there now and the backup's, lost with the database they are in, or new.
 */
function DatabaseImpacts({ result }: { result: SetRestoreResult }) {
  return (
    <>
      {result.databases.map((entry) =>
        entry.result ? (
          <section key={entry.database} className="set-impact" aria-label={`Impact on ${entry.database}`}>
            <h4 className="set-impact__title mono">{shown(entry.database)}</h4>
            <ImpactSummary impact={entry.result.impact} label={`Impact summary: ${entry.database}`} />
            <ImpactTable tables={entry.result.impact.tables} label={`Restore impact: ${entry.database}`} />
          </section>
        ) : null,
      )}
    </>
  );
}

function Outcome({ onClose }: { onClose: () => void }) {
  const result = useSetRestore((s) => s.result);
  const error = useSetRestore((s) => s.error);
  const replacing = useSetRestore((s) => s.choices?.mode === 'clean');
  const { back } = useSetRestore.getState();
  return (
    <>
      {error ? <ErrorNotice error={error} title={error.code === 'CANCELLED' ? 'Restore cancelled' : 'The restore failed'} /> : null}
      {result ? (
        <div className={`result-box ${result.ok ? 'result-box--ok' : 'result-box--bad'}`} role="status">
          <p className="result-box__title">{result.ok ? 'Backup set restored' : 'The set was not fully restored'}</p>
          {result.roles ? (
            <p className="muted">
              Roles: {result.roles.created.length} created, {result.roles.kept.length} kept{result.roles.failed.length ? `, ${result.roles.failed.length} failed` : ''}.
            </p>
          ) : null}
          <DatabaseLines result={result} replacing={replacing} label="Restored databases" />
        </div>
      ) : null}
      <div className="form__actions">
        {result?.ok ? null : (
          <button type="button" className="btn" onClick={back}>
            Back to options
          </button>
        )}
        <button type="button" className="btn btn--primary" onClick={onClose}>
          {icons.check} Done
        </button>
      </div>
    </>
  );
}
