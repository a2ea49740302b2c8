// The restore wizard: backup → target → options → a dry run's impact, read before anything changes →
// the database name typed → progress → the row counts of every table compared with the backup's.
import { useEffect, useMemo, useState } from 'react';
import { Modal } from '../components/Modal.tsx';
import { icons } from '../components/icons.tsx';
import { Badge, Checkbox, ErrorNotice, Facts, Field, Notice, Spinner, StatusBadge, TypedConfirm } from '../components/ui.tsx';
import { formatBytes, formatCount, formatDateTime, formatDuration, formatRelative, plural } from '../lib/format.ts';
import { matchesFilter, NO_FILTER } from '../lib/backup-rows.ts';
import { useBackups } from '../stores/backups.ts';
import { useNav } from '../stores/nav.ts';
import { useProfiles } from '../stores/profiles.ts';
import { SELECTION_CAVEAT } from '../../../main/core/restore/selection-caveat.ts';
import { quoteIdent } from '../../../main/core/pg/quote-ident.ts';
import { expectedConfirmation, fixLabel, previewBlockers, startDisabledReason, unusedDatabaseName, useRestore, WIZARD_STEPS, type RestoreResult } from '../stores/restore.ts';
import { ScopeBadge } from './BackupDetails.tsx';
import { ImpactSummary, ImpactTable } from './RestoreImpact.tsx';
import { WizardNav } from '../components/WizardNav.tsx';
import { drillDatabaseName } from '../../../main/core/model/unknown-database.ts';
import { RESTORE_TOOLS, ToolOutput } from './ToolOutput.tsx';
import { shown, shownOr } from '../lib/shown.ts';
import { DATABASE_NOT_RECORDED } from '../../../main/core/model/unknown-database.ts';

export function RestoreWizard() {
  const { open, backupId } = useNav((s) => s.restoreWizard);
  const step = useRestore((s) => s.step);

  useEffect(() => {
    if (open) useRestore.getState().begin(backupId);
  }, [open, backupId]);

  const close = () => useNav.getState().closeRestoreWizard();
  return (
    <Modal open={open} title="Restore a backup" onClose={close} size="wide" dismissable={step !== 'running'}>
      {open ? (
        <div className="wizard">
          <Stepper />
          <div className="wizard__body">
            {step === 'backup' ? <ChooseBackup /> : null}
            {step === 'target' ? <ChooseTarget /> : null}
            {step === 'options' ? <ChooseOptions /> : null}
            {step === 'preview' ? <Preview /> : null}
            {step === 'running' ? <Running /> : null}
            {step === 'result' ? <Result onClose={close} /> : null}
          </div>
        </div>
      ) : null}
    </Modal>
  );
}

function Stepper() {
  const step = useRestore((s) => s.step);
  const current = WIZARD_STEPS.findIndex((s) => s.step === step);
  return (
    <ol className="stepper" aria-label="Restore steps">
      {WIZARD_STEPS.map((s, index) => (
        <li key={s.step} className={`stepper__item${index < current ? ' is-done' : index === current ? ' is-current' : ''}`} aria-current={index === current ? 'step' : undefined}>
          <span className="stepper__number" aria-hidden="true">
            {index < current ? '✓' : index + 1}
          </span>
          {s.label}
        </li>
      ))}
    </ol>
  );
}

function ChooseBackup() {
  const rows = useBackups((s) => s.rows);
  const chosen = useRestore((s) => s.choices.backupId);
  const [filter, setFilter] = useState('');
  const candidates = useMemo(
    () =>
      rows
        .filter((row) => row.status === 'completed' && row.backup)
        .filter((row) => !filter || matchesFilter(row, { ...NO_FILTER, text: filter }))
        .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
        .slice(0, 200),
    [rows, filter],
  );
  return (
    <>
      <h3 className="wizard__title">Which backup?</h3>
      <input
        className="input"
        type="search"
        aria-label="Filter backups"
        placeholder="Filter by profile, file name or scope (schema only…)"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      <fieldset className="choice-list">
        <legend className="visually-hidden">Backups</legend>
        {candidates.map((row) => (
          <label key={row.id} className={`choice${chosen === row.id ? ' is-checked' : ''}`}>
            <input type="radio" name="backup" checked={chosen === row.id} onChange={() => useRestore.getState().choose({ backupId: row.id })} />
            <span className="choice__main">
              <span className="choice__title">
                {row.profile} <span className="muted">· {formatDateTime(row.timestamp)}</span> <ScopeBadge row={row} />
              </span>
              <span className="choice__detail mono">{row.filename}</span>
            </span>
            <span className="choice__side">
              {formatBytes(row.size)} {row.verified === 'valid' ? <Badge tone="ok">verified</Badge> : null}
            </span>
          </label>
        ))}
        {candidates.length === 0 ? <p className="muted">No completed backups{filter ? ' match' : ' yet'}.</p> : null}
      </fieldset>
      <WizardNav next={() => useRestore.getState().goTo('target')} nextLabel="Next" nextDisabled={!chosen} />
    </>
  );
}

function ChooseTarget() {
  const choices = useRestore((s) => s.choices);
  const profiles = useProfiles((s) => s.profiles);
  const databases = useRestore((s) => s.databases);
  const backup = useBackups((s) => s.rows.find((row) => row.id === choices.backupId)?.backup ?? null);
  const { choose, goTo, loadDatabases } = useRestore.getState();

  // Sensible defaults: the backup's own profile, into a new database beside the original.
  useEffect(() => {
    if (!choices.targetProfile && backup) {
      const own = profiles.find((p) => p.name === backup.profile) ?? profiles[0];
      choose({ targetProfile: own?.name ?? '', database: '' });
    }
  }, [backup, choices.targetProfile, profiles, choose]);
  useEffect(() => {
    if (choices.targetProfile) void loadDatabases(choices.targetProfile);
  }, [choices.targetProfile, loadDatabases]);
  const names = databases?.profile === choices.targetProfile && databases.status === 'done' ? databases.names : null;
  // The default new name is one the server does not have; an existing target is one it has.
  useEffect(() => {
    if (!names || !backup || choices.database) return;
    // A dump that does not say its database (imported) starts from the drill's neutral name, or the server's first.
    const own = backup.database;
    choose({ database: choices.mode === 'new' ? unusedDatabaseName(drillDatabaseName(backup), names) : own !== null && names.includes(own) ? own : (names[0] ?? '') });
  }, [names, backup, choices.mode, choices.database, choose]);

  const nameError =
    choices.database && new TextEncoder().encode(choices.database).length > 63
      ? 'A database name is at most 63 bytes.'
      : choices.mode === 'new' && names?.includes(choices.database)
        ? `"${choices.database}" already exists on this server: choose another name, or "Into an existing database".`
        : undefined;
  return (
    <>
      <h3 className="wizard__title">Restore where?</h3>
      {backup ? (
        <p className="muted">
          From <span className="mono">{backup.filename}</span> ({shownOr(backup.database, DATABASE_NOT_RECORDED)}, {formatRelative(backup.timestamp)})
        </p>
      ) : null}
      <Field label="Target server (connection)">
        {(control) => (
          <select {...control} className="input" value={choices.targetProfile} onChange={(event) => choose({ targetProfile: event.target.value, database: '' })}>
            {profiles.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name} — {p.host}:{p.port}
                {p.tags.includes('production') ? ' (production)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset className="segmented">
        <legend className="field__label">Database</legend>
        {(
          [
            ['new', 'Create a new database'],
            ['existing', 'Into an existing database'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className={`segmented__option${choices.mode === value ? ' is-checked' : ''}`}>
            <input type="radio" name="mode" checked={choices.mode === value} onChange={() => choose({ mode: value, database: '' })} />
            {label}
          </label>
        ))}
      </fieldset>
      {databases?.status === 'failed' && databases.profile === choices.targetProfile ? <ErrorNotice error={databases.error} title="The server's databases could not be listed" /> : null}
      {choices.mode === 'existing' && databases?.status !== 'failed' ? (
        <Field label="Existing database" hint="An empty database, or one you choose to replace on the next step.">
          {(control) => (
            <select {...control} className="input mono" value={choices.database} disabled={!names} onChange={(event) => choose({ database: event.target.value })}>
              {names ? null : <option value="">Loading the server&apos;s databases…</option>}
              {(names ?? []).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Field
          label={choices.mode === 'new' ? 'New database name' : 'Existing database name'}
          error={nameError}
          hint={choices.mode === 'new' ? 'Created on the target server; it must not exist yet.' : 'An empty database, or one you choose to replace on the next step.'}
        >
          {(control) => <input {...control} className="input mono" value={choices.database} onChange={(event) => choose({ database: event.target.value })} />}
        </Field>
      )}
      <WizardNav back={() => goTo('backup')} next={() => goTo('options')} nextLabel="Next" nextDisabled={!choices.targetProfile || !choices.database || Boolean(nameError)} />
    </>
  );
}

function ChooseOptions() {
  const choices = useRestore((s) => s.choices);
  const previewing = useRestore((s) => s.previewing);
  const error = useRestore((s) => s.error);
  const backup = useBackups((s) => s.rows.find((row) => row.id === choices.backupId)?.backup ?? null);
  const { choose, goTo, runPreview } = useRestore.getState();
  const archive = backup?.format !== 'plain';
  const replacing = choices.mode === 'existing' && choices.dropExisting;
  const partialEmpty = (choices.scope === 'tables' && choices.tables.length === 0) || (choices.scope === 'schemas' && choices.schemas.length === 0);
  return (
    <>
      <h3 className="wizard__title">Options</h3>
      {archive && !replacing ? <ChooseScope /> : null}
      {choices.mode === 'existing' ? (
        <>
          <Checkbox
            label="Replace what is in the database (drop existing)"
            checked={choices.dropExisting}
            onChange={(dropExisting) => choose({ dropExisting, ...(dropExisting ? { scope: 'all' as const } : {}) })}
            hint="Restored into a scratch database first and checked, then swapped in; the old one is dropped only after that."
          />
          <Checkbox
            label="End other sessions on the database"
            checked={choices.terminateConnections}
            onChange={(terminateConnections) => choose({ terminateConnections })}
            hint="Replacing a database fails while others are connected to it."
          />
        </>
      ) : null}
      <Checkbox
        label="Skip ownership"
        checked={choices.noOwner}
        onChange={(noOwner) => choose({ noOwner })}
        disabled={!archive}
        hint="Objects belong to the connecting role: for a target without the original roles."
      />
      <Checkbox label="Skip privileges" checked={choices.noAcl} onChange={(noAcl) => choose({ noAcl })} disabled={!archive} hint="GRANTs are not restored." />
      {archive ? (
        <Field label="Parallel jobs" hint="Tables restored at once; 1 restores everything in a single transaction.">
          {(control) => (
            <select {...control} className="input input--narrow" value={choices.jobs} onChange={(event) => choose({ jobs: Number(event.target.value) })}>
              {[1, 2, 4, 8].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {error ? <ErrorNotice error={error} title="The preview found a problem" /> : null}
      <WizardNav back={() => goTo('target')} next={() => void runPreview()} nextLabel="Preview impact" busy={previewing} nextDisabled={partialEmpty} />
    </>
  );
}

/** The whole backup, or chosen tables or schemas (into a new or empty database; see the caveat). */
function ChooseScope() {
  const choices = useRestore((s) => s.choices);
  const backup = useRestore((s) => s.backup);
  const { choose, loadBackup } = useRestore.getState();
  useEffect(() => {
    if (choices.backupId && choices.scope !== 'all') void loadBackup(choices.backupId);
  }, [choices.backupId, choices.scope, loadBackup]);
  const tables = backup?.tables ?? [];
  const schemas = [...new Set(tables.map((key) => schemaOf(key)))].sort();
  const toggle = (list: string[], item: string, on: boolean) => (on ? [...list, item] : list.filter((x) => x !== item));
  return (
    <>
      <fieldset className="segmented">
        <legend className="field__label">What to restore</legend>
        {(
          [
            ['all', 'Everything'],
            ['tables', 'Chosen tables'],
            ['schemas', 'Chosen schemas'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className={`segmented__option${choices.scope === value ? ' is-checked' : ''}`}>
            <input type="radio" name="scope" checked={choices.scope === value} onChange={() => choose({ scope: value })} />
            {label}
          </label>
        ))}
      </fieldset>
      {choices.scope !== 'all' ? (
        <>
          <Notice tone="info">{SELECTION_CAVEAT} Restore into a new or empty database; the tables of one schema at a time when their names repeat in another schema.</Notice>
          {!backup ? (
            <p className="muted">
              <Spinner /> Loading the backup&apos;s tables…
            </p>
          ) : (
            <fieldset className="choice-list choice-list--compact" aria-label={choices.scope === 'tables' ? 'Tables to restore' : 'Schemas to restore'}>
              {(choices.scope === 'tables' ? tables : schemas).map((item) => {
                const list = choices.scope === 'tables' ? choices.tables : choices.schemas;
                return (
                  <Checkbox
                    key={item}
                    label={item}
                    checked={list.includes(item)}
                    onChange={(on) => choose(choices.scope === 'tables' ? { tables: toggle(choices.tables, item, on) } : { schemas: toggle(choices.schemas, item, on) })}
                  />
                );
              })}
            </fieldset>
          )}
        </>
      ) : null}
    </>
  );
}

/** A manifest key's schema, unquoted ("\"Sales\".x" → Sales). */
function schemaOf(key: string): string {
  if (!key.startsWith('"')) return key.slice(0, key.indexOf('.'));
  let schema = '';
  for (let i = 1; i < key.length; i += 1) {
    if (key[i] === '"' && key[i + 1] === '"') {
      schema += '"';
      i += 1;
    } else if (key[i] === '"') break;
    else schema += key[i];
  }
  return schema;
}

function Preview() {
  const preview = useRestore((s) => s.preview);
  const confirmText = useRestore((s) => s.confirmText);
  const choices = useRestore((s) => s.choices);
  const { setConfirmText, runRestore, goTo, choose, runPreview } = useRestore.getState();
  if (!preview) return null;
  const expected = expectedConfirmation({ preview, choices });
  const blockers = previewBlockers(preview);
  const { impact } = preview;
  return (
    <>
      <h3 className="wizard__title">Review: nothing has changed yet</h3>
      <Facts
        items={[
          [
            'Backup',
            <span key="b" className="mono">
              {preview.backup.filename}
            </span>,
          ],
          ['Target', `${shown(preview.target.database)} on ${preview.target.host}:${preview.target.port} (${impact.targetServer}, profile ${preview.target.profile})`],
          ['Database', preview.target.exists ? `exists, ${preview.target.relations} relations` : 'will be created'],
          ['Client', preview.client],
          ['Runs as', roleLabel(impact.targetRole)],
        ]}
      />
      <ImpactSummary impact={impact} />
      {blockers.length ? (
        <div className="notice notice--bad" role="alert" aria-label="What stops this restore">
          <div className="notice__body">
            <p className="notice__title">This restore would fail: fix it before it can start</p>
            {blockers.map((blocker) => (
              <div key={blocker.kind} className="blocker">
                <p className="notice__message">
                  {shown(blocker.message)} {shownOr(blocker.appHint ?? blocker.hint, null)}
                </p>
                {blocker.fix && blocker.action ? (
                  <button
                    type="button"
                    className="btn btn--small"
                    onClick={() => {
                      choose(blocker.fix!);
                      void runPreview();
                    }}
                  >
                    {fixLabel(blocker.action)}
                  </button>
                ) : null}
              </div>
            ))}
          </div>
        </div>
      ) : null}
      {impact.appWarnings.map((warning) => (
        <Notice key={warning} tone="warn">
          {shown(warning)}
        </Notice>
      ))}
      <ExecutedFunctions functions={impact.executedFunctions} />
      <DatabaseProperties lines={impact.databaseProperties} database={preview.target.database} />
      <ImpactTable tables={impact.tables} />
      <details className="disclosure">
        <summary>Steps Holdfast will take</summary>
        <ol className="plan">
          {preview.actions.map((action) => (
            <li key={action}>{shown(action)}</li>
          ))}
        </ol>
      </details>
      <TypedConfirm expected={expected} value={confirmText} onChange={setConfirmText} what={impact.confirmation?.includes('/') ? 'the profile and database' : 'the database name'} />
      <WizardNav
        back={() => goTo('options')}
        next={() => void runRestore()}
        nextLabel="Restore"
        nextDisabled={confirmText !== expected || blockers.length > 0}
        disabledReason={startDisabledReason(blockers)}
      />
    </>
  );
}

type Impact = RestoreResult['impact'];

function roleLabel(role: Impact['targetRole']): string {
  return role.superuser ? `${role.name} (superuser)` : role.privileged ? `${role.name} (${role.via.join(', ')})` : role.name;
}

/** The backup's own functions the restore runs as the role above, or installs to run on later writes. */
type DatabasePropertyLine = NonNullable<Impact['databaseProperties']>[number];
const PROPERTY_LABELS: Record<DatabasePropertyLine['property'], string> = {
  owner: 'Owner',
  acl: 'Privileges',
  settings: 'Settings',
  comment: 'Comment',
  connectionLimit: 'Connection limit',
  encoding: 'Encoding',
  collation: 'Collation',
};

/** The "Now" of a database the restore creates: it has no owner or settings yet, and none is made up for it. */
const NO_DATABASE_YET = '— (new database)';

const PROPERTY_SOURCE_LABELS: Record<DatabasePropertyLine['from'], string> = { backup: 'the backup (same)', target: 'kept', default: 'default' };

/**
 * A property's From cell. Replacing, a change to the live database is flagged; a new database loses
 * nothing, so its rows say only where each value comes from (and whether a plain CREATE DATABASE
 * would have given it anyway).
 */
function propertySource(line: DatabasePropertyLine, isNew: boolean): { text: string; flagged: boolean } {
  if (!isNew) return line.changes ? { text: 'changes, from the backup', flagged: true } : { text: PROPERTY_SOURCE_LABELS[line.from], flagged: false };
  if (line.from !== 'backup') return { text: PROPERTY_SOURCE_LABELS[line.from], flagged: false };
  return { text: line.changes ? 'the backup' : 'the backup (same as the default)', flagged: false };
}

/**
 * The table's summary, counted from the rows it shows by the same words their From cells say: a new
 * database's "7 from the backup" is the rows whose From names the backup (it said "3 from the backup",
 * the rows unlike a new database's defaults, over a table saying the backup on all 7).
 */
function propertiesSummary(lines: readonly DatabasePropertyLine[], database: string, isNew: boolean): string {
  const sources = lines.map((line) => propertySource(line, isNew));
  if (!isNew) {
    const changed = sources.filter((source) => source.flagged).length;
    return changed ? `${changed} changed` : `all kept as "${database}" has them`;
  }
  const fromBackup = sources.filter((source) => source.text.startsWith('the backup')).length;
  const defaults = lines.length - fromBackup;
  if (!fromBackup) return "a new database's defaults";
  return defaults ? `${fromBackup} from the backup, ${defaults} default` : `${fromBackup} from the backup`;
}

const PropertySource = ({ source }: { source: { text: string; flagged: boolean } }) => (source.flagged ? <Badge tone="warn">{source.text}</Badge> : <span className="muted">{source.text}</span>);

/** A replace restore builds a new database: what it gets of the one it replaces, and what changes. A new database: what it gets from the backup. */
function DatabaseProperties({ lines, database }: { lines: Impact['databaseProperties']; database: string }) {
  if (!lines) return null;
  const changed = lines.filter((line) => line.changes).length;
  // A new database has no current values (the engine gives none): it is told by that, not by where its values come from.
  const isNew = lines.some((line) => line.current === null);
  return (
    <details className="disclosure" open={changed > 0}>
      <summary>Database properties ({propertiesSummary(lines, database, isNew)})</summary>
      <table className="table table--compact" aria-label="Database properties">
        <thead>
          <tr>
            <th scope="col">Property</th>
            <th scope="col">Now</th>
            <th scope="col">After the restore</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.property}>
              <td>{PROPERTY_LABELS[line.property]}</td>
              <td className={line.current === null ? 'muted' : 'mono'}>{line.current ?? NO_DATABASE_YET}</td>
              <td className="mono">{line.restored}</td>
              <td>
                <PropertySource source={propertySource(line, isNew)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function ExecutedFunctions({ functions }: { functions: Impact['executedFunctions'] }) {
  if (!functions?.length) return null;
  const running = functions.filter((f) => f.duringRestore).length;
  return (
    <details className="disclosure" open={running > 0 && functions.length <= 8}>
      <summary>
        Functions from the backup ({functions.length}, {running} run during the restore)
      </summary>
      <ul className="plan" aria-label="Functions from the backup">
        {functions.map((f) => (
          <li key={f.function}>
            <span className="mono">{f.function}</span> — {f.usedBy.join('; ')} {f.securityDefiner ? <Badge tone="warn">security definer</Badge> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

const RESTORE_PHASES = ['verifying', 'inspecting target', 'restoring', 'counting rows'];

function Running() {
  const phases = useRestore((s) => s.phases);
  const current = phases.at(-1);
  return (
    <div className="run" aria-live="polite">
      <h3 className="wizard__title">Restoring…</h3>
      <ol className="phase-list">
        {[...RESTORE_PHASES, ...phases.filter((p) => !RESTORE_PHASES.includes(p))].map((phase) => {
          const done = phases.includes(phase) && phase !== current;
          return (
            <li key={phase} className={`phase-list__item${done ? ' is-done' : phase === current ? ' is-current' : ''}`}>
              <span className="phase-list__mark" aria-hidden="true">
                {done ? '✓' : phase === current ? <Spinner /> : '•'}
              </span>
              <span className="phase-list__label">{phase}</span>
            </li>
          );
        })}
      </ol>
      <progress className="progress" aria-label="Restore progress" />
      <div className="form__actions">
        <button type="button" className="btn btn--danger" onClick={() => useRestore.getState().cancel()}>
          Cancel restore
        </button>
      </div>
    </div>
  );
}

function Result({ onClose }: { onClose: () => void }) {
  const result = useRestore((s) => s.result);
  const error = useRestore((s) => s.error);
  if (error || !result) {
    return (
      <>
        {error ? <ErrorNotice error={error} title={error.code === 'CANCELLED' ? 'Restore cancelled' : 'The restore failed'} /> : null}
        {error?.runId ? <ToolOutput runOrBackupId={error.runId} tools={RESTORE_TOOLS} /> : null}
        <p className="muted">Holdfast restores into a scratch database or a new one first, so a failed restore leaves the original as it was.</p>
        <div className="form__actions">
          <button type="button" className="btn" onClick={() => useRestore.getState().goTo('options')}>
            Back to options
          </button>
          <button type="button" className="btn btn--primary" onClick={onClose}>
            Close
          </button>
        </div>
      </>
    );
  }
  return <RestoreSummary result={result} onClose={onClose} />;
}

function RestoreSummary({ result, onClose }: { result: RestoreResult; onClose: () => void }) {
  const matching = result.tables.filter((t) => t.actual === t.expected).length;
  return (
    <>
      <div className={`result-box ${result.ok ? 'result-box--ok' : 'result-box--bad'}`} role="status">
        <p className="result-box__title">
          {result.ok ? 'Restore completed' : 'Restored, but the row counts differ'} <span className="muted">in {formatDuration(result.durationMs)}</span>
        </p>
        <p>
          {shown(result.target.database)} on {result.target.host}:{result.target.port} · row counts match the backup in {matching} of {plural(result.tables.length, 'table')}
          {result.keptAs ? ` · the previous database is kept as ${result.keptAs}` : ''}
        </p>
        {result.from ? <p className="muted">Read from its copy on destination {result.from}, not from this machine&apos;s disk.</p> : null}
      </div>
      <LeftOut items={result.impact.leftOut} database={result.target.database} />
      {result.runId ? <ToolOutput runOrBackupId={result.runId} tools={RESTORE_TOOLS} /> : null}
      <table className="table table--compact" aria-label="Row count comparison">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col" className="num">
              In backup
            </th>
            <th scope="col" className="num">
              Restored
            </th>
            <th scope="col">Match</th>
          </tr>
        </thead>
        <tbody>
          {result.tables.map((t) => (
            <tr key={t.table}>
              <td className="mono">{shown(t.table)}</td>
              <td className="num">{formatCount(t.expected)}</td>
              <td className="num">{formatCount(t.actual)}</td>
              <td>{t.actual === t.expected ? <StatusBadge status="passed" /> : <StatusBadge status="failed" />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form__actions">
        <button type="button" className="btn btn--primary" onClick={onClose}>
          {icons.check} Done
        </button>
      </div>
    </>
  );
}

/**
 * What the restored database did not get from the backup (impact.leftOut), said again after the run as
 * the CLI does: a DBA may skip the preview, and must not assume the copy has every setting the backup
 * carried. A statement is shown only where the engine gives one; a setting it gives none for (code it
 * would load, a search_path before pg_catalog) gets only the statement's form.
 */
function LeftOut({ items, database }: { items: RestoreResult['impact']['leftOut']; database: string }) {
  if (!items.length) return null;
  const name = quoteIdent(database);
  return (
    <section className="notice notice--warn" aria-labelledby="restore-left-out-title">
      <div className="notice__body">
        <p className="notice__title" id="restore-left-out-title">
          Not carried over from the backup
        </p>
        <ul className="notice__message left-out">
          {items.map((item, i) => {
            const statements = item.settings.flatMap(({ statement }) => (statement === null ? [] : [statement]));
            return (
              <li key={i}>
                {item.message}
                {statements.map((statement) => (
                  <code key={statement} className="left-out__statement">
                    {statement};
                  </code>
                ))}
                {item.settings.some(({ statement }) => statement === null) && (
                  <span className="left-out__form">
                    For each one {database} needs: <code>ALTER DATABASE {name} SET name = value;</code> (for one role: <code>ALTER ROLE role IN DATABASE {name} SET name = value;</code>)
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
