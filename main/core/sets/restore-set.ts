// A set restored as a unit: the roles first, then each chosen database through the ordinary restore
// (restore/restore.ts) with its safety rules and impact preview. Every chosen database is previewed
// (a dry run) before anything changes; one refused refuses the whole restore, so a set is never half
// restored because of a rule that was known up front. A database the target lacks is created as
// `pg_dump --create` would: with the backup's encoding, collation, owner, privileges, settings,
// comment and connection limit (restore/scratch-database.ts), then restored into. A database that
// fails while being restored (what no preview sees: pg_restore's own errors) does not stop the rest:
// every chosen database is attempted and reported with its error, nothing already restored is undone,
// and the result is not ok (the CLI exits 1). Only a cancel stops early; the rest say "not attempted".
import type { EngineContext } from '../backup/backup.ts';
import { HoldfastError, hintFields, toErrorInfo, type ErrorInfo } from '../model/errors.ts';
import { hintActions, hintText, renderHint } from '../model/hint-actions.ts';
import { plural } from '../model/human.ts';
import type { Profile } from '../model/types.ts';
import { quoteIdent } from '../pg/connection.ts';
import { openSession } from '../pg/session.ts';
import { DatabaseEntriesUnreadable, readBackupDatabaseEntries } from '../restore/backup-database-entries.ts';
import { leftOutWarning, newDatabaseDefaults, plainDumpLeftOut } from '../restore/database-properties.ts';
import { checkedDatabasePropertiesPlan, DatabasePropertiesRefused } from '../restore/database-property-checks.ts';
import { restoreBesideStep, SKIP_BOTH, skipOwnershipStep, type SkipStep } from '../restore/restore-tool.ts';
import { leftOutAsSaid } from '../restore/impact.ts';
import { createDatabaseAction, restoreBackup, type RestoreResult } from '../restore/restore.ts';
import { applyDatabaseProperties, createScratchDatabase } from '../restore/scratch-database.ts';
import type { Offsite } from '../storage/offsite.ts';
import { pickClientTools } from '../tools/discover.ts';
import { dumpClientMajor } from '../verify/verify.ts';
import { applySetRoles, rolesTheFileCreates, type RolesApplied } from './apply-roles.ts';
import { chosenMembers } from './only-members.ts';
import type { BackupSet } from './set-record.ts';
import { readSetRolesFile } from './set-roles-file.ts';
import { SetStore } from './set-rows.ts';

export interface SetRestoreRequest {
  set: BackupSet;
  target: Profile;
  /** Databases of the set to restore; all it holds when absent. */
  only?: readonly string[] | undefined;
  create: boolean;
  clean: boolean;
  /** With --clean: the set's id (production targets: <profile>/<set id>). */
  confirm?: string | undefined;
  dryRun: boolean;
  terminateConnections?: boolean;
  signal?: AbortSignal;
}

export interface SetRestoreResult {
  id: string;
  kind: 'set';
  dryRun: boolean;
  ok: boolean;
  target: string;
  roles: RolesApplied | null;
  /** A dry run's: the roles the set's roles file will create on the target (those it lacks now), sorted; null for a real run (roles says what it did) or a set without a roles file. */
  rolesToCreate: string[] | null;
  /** What --confirm must say for this restore (the set's id; profile/id on a production target), when it needs one. */
  confirmation: string | null;
  /** A member that failed keeps its restore's hint, and its run (runId) when the tools' output was kept with it. */
  databases: Array<{ database: string; result: RestoreResult | null; created: boolean; error: string | null } & Pick<ErrorInfo, 'hint' | 'appHint' | 'runId'>>;
}

const refused = (message: string, hint?: string) => new HoldfastError('RESTORE_REFUSED', message, hint);

/**
 * pg_restore 15.14 and later will not write CREATE DATABASE (its \\connect line) for a name with a
 * newline or carriage return, and Holdfast reads a database's properties through that output
 * (restore/backup-database-entries.ts); known before anything changes, so it is said in the preview.
 */
function cannotCreate(database: string): string | null {
  if (!/[\r\n]/.test(database)) return null;
  return `pg_restore (15.14 and later) will not write CREATE DATABASE for a name holding a newline or carriage return, so Holdfast cannot create ${JSON.stringify(database)} with its backup's encoding, locale and settings. Create it on the target yourself (CREATE DATABASE ${quoteIdent(database)} with the encoding and locale it needs), then restore it with --only: it is restored into the existing empty database.`;
}

/**
 * What to do about a member the preview refused, as a set's restore takes it. A single restore's
 * "replace it" names --swap and the database's own --confirm, and its "create it, or name a database
 * that exists" a --dbname, none of which a set's restore takes (each member keeps its own name): here
 * it is the set's Replace or Create choice, or leaving the member out.
 */
function memberHint(error: unknown, expected: string): string | undefined {
  if (!(error instanceof HoldfastError) || error.hintTemplate === undefined) return undefined;
  const actions = hintActions(error.hintTemplate);
  return actions.includes('replace-existing')
    ? `To replace it, {{replace-set:${hintText(expected)}}}. Or {{leave-out-member}}.`
    : actions.includes('create')
      ? '{{create-set}}, or {{leave-out-member}}.'
      : error.hintTemplate;
}

/** A member's hint as its entry in the result carries it: the CLI's words and the app's. */
function hintOf(template: string | undefined): Pick<ErrorInfo, 'hint' | 'appHint'> {
  const { hint, appHint } = hintFields(template);
  return { ...(hint === undefined ? {} : { hint }), ...(appHint === undefined ? {} : { appHint }) };
}

/**
 * The refusal's hint when previews refused members: each member's own next step, said once for the
 * members that share it, so "Nothing was restored" says what to do about each.
 */
function refusalHint(blocked: ReadonlyArray<{ database: string }>, hints: ReadonlyMap<string, string>): string {
  const byHint = new Map<string, string[]>();
  for (const { database } of blocked) {
    const hint = hints.get(database) ?? 'Fix what it needs (the same rules as `holdfast restore`), or {{leave-out-member}}.';
    byHint.set(hint, [...(byHint.get(hint) ?? []), database]);
  }
  return [...byHint].map(([hint, databases]) => `${hintText(databases.join(', '))}: ${hint}`).join(' ');
}

/**
 * A member's preview as the set's restore will meet it: roles the target lacks stop nothing when the
 * set's roles file, applied first, creates every one of them, so that blocker is not shown (the CLI
 * printed "would be refused" for a restore that went through) and the member is ok as its blockers
 * now say (the JSON said ok: false for a member of a set that said ok: true). The missing roles stay
 * in missingRoles: the target lacks them now.
 */
function asSetMemberPreview(preview: RestoreResult, rolesFromSet: ReadonlySet<string>): RestoreResult {
  if (!preview.impact.missingRoles.every((role) => rolesFromSet.has(role))) return preview;
  const blockers = preview.impact.blockers.filter((blocker) => blocker.kind !== 'missing-roles');
  return { ...preview, ok: blockers.length === 0, impact: { ...preview.impact, blockers } };
}

/**
 * A member whose preview found what would stop its restore (impact.blockers, as asSetMemberPreview
 * leaves them) stops the set's, said with the set's own steps: its "End other sessions" (the whole
 * set's), else leaving the member out — and, where ownership stops it, restoring it on its own with
 * --no-owner, which a set's restore does not take (ownershipStep: restore-tool.ts skipOwnershipStep).
 */
function memberBlocked(preview: RestoreResult, ownershipStep: SkipStep | null): { error: string; hint: string } | null {
  const { blockers } = preview.impact;
  if (!blockers.length) return null;
  // Only the flags its blockers need: an owner the restoring role cannot give is lifted by --no-owner alone.
  const skipped = blockers.filter((blocker) => blocker.kind === 'missing-roles' || blocker.kind === 'owner').map((blocker) => blocker.lifts ?? SKIP_BOTH);
  const needs = { owner: skipped.some((lift) => lift.owner), acl: skipped.some((lift) => lift.acl) };
  const lifts = blockers.some((blocker) => blocker.action === 'terminate-connections')
    ? '{{terminate-set-connections}}, or {{leave-out-member}}.'
    : ownershipStep !== null && skipped.length > 0
      ? `{{leave-out-member}} and ${ownershipStep(needs)}.`
      : '{{leave-out-member}}.';
  return { error: blockers.map((blocker) => blocker.message).join(' '), hint: lifts };
}

/**
 * The roles the set's roles file creates, for the previews: the file is applied before any database,
 * so a member's setting for one of them (ALTER ROLE … IN DATABASE … SET) is given, not left out. A
 * file that cannot be read now (its checksum changed, an encrypted set's key not here) refuses the
 * restore itself; its previews then count none and say such settings left out, as without a file.
 */
async function rolesTheSetCreates(engine: EngineContext, set: BackupSet, members: BackupSet['databases']): Promise<ReadonlySet<string>> {
  if (!set.globals.filename) return new Set();
  try {
    const path = new SetStore(engine.catalogue.db).fileOf(set.id, set.globals.filename, engine.config.backupDir);
    const roles = await readSetRolesFile(
      engine,
      set,
      path,
      members.map((member) => engine.catalogue.requireBackup(member.id!)),
    );
    return rolesTheFileCreates(roles.text);
  } catch {
    return new Set();
  }
}

/** Of the roles the set's roles file creates, those the target server lacks now: what its restore will create there. */
async function rolesTheTargetLacks(engine: EngineContext, target: Profile, rolesFromSet: ReadonlySet<string>): Promise<string[]> {
  const session = await openSession(engine, target);
  try {
    const admin = await session.connect(target.dbname === 'template1' ? 'template1' : 'postgres');
    try {
      const has = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles')).rows.map((r) => r.rolname));
      return [...rolesFromSet].filter((role) => !has.has(role)).sort();
    } finally {
      await admin.end();
    }
  } finally {
    await session.close();
  }
}

export async function restoreSet(engine: EngineContext & { offsite: Pick<Offsite, 'readable' | 'sourceFor'> }, request: SetRestoreRequest): Promise<SetRestoreResult> {
  const { set, target } = request;
  const members = chosenMembers(set, request.only);
  const production = target.tags.includes('production');
  const expected = production ? `${target.name}/${set.id}` : set.id;
  if (request.clean && !request.dryRun && request.confirm !== expected)
    throw refused(`--clean replaces ${plural(members.length, 'database')} on ${target.host}:${target.port}: ${members.map((m) => m.database).join(', ')}.`, `Confirm with --confirm=${expected}.`);
  const memberRequest = (database: string, dryRun: boolean) => ({
    ref: '',
    target,
    dbname: database,
    create: request.create,
    clean: request.clean,
    confirm: production ? `${target.name}/${database}` : database,
    noOwner: false,
    noAcl: false,
    asSetMember: true,
    dryRun,
    terminateConnections: request.terminateConnections === true,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const result: SetRestoreResult = {
    id: set.id,
    kind: 'set',
    dryRun: request.dryRun,
    ok: false,
    target: target.name,
    roles: null,
    rolesToCreate: null,
    confirmation: request.clean ? expected : null,
    databases: [],
  };
  // Every database previewed first: the same checks a real restore makes, nothing changed.
  const rolesFromSet = await rolesTheSetCreates(engine, set, members);
  const previewHints = new Map<string, string>();
  for (const member of members) {
    try {
      const preview = asSetMemberPreview(await restoreBackup(engine, { ...memberRequest(member.database, true), ref: member.id!, rolesFromSet }), rolesFromSet);
      const uncreatable = preview.target.exists ? null : cannotCreate(member.database);
      const ownershipStep = skipOwnershipStep(engine.catalogue.requireBackup(member.id!).format, {
        backupId: member.id!,
        target: target.name,
        database: member.database,
        create: request.create,
        clean: request.clean,
        production,
      });
      const blocked = uncreatable === null ? memberBlocked(preview, ownershipStep) : null;
      if (blocked) previewHints.set(member.database, blocked.hint);
      result.databases.push({ database: member.database, result: preview, created: false, error: blocked?.error ?? uncreatable, ...hintOf(blocked?.hint) });
    } catch (error) {
      // A new database's preview reads the backup's CREATE DATABASE, which pg_restore will not write for this name: say what to do.
      const uncreatable = error instanceof DatabaseEntriesUnreadable ? cannotCreate(member.database) : null;
      if (uncreatable !== null) {
        result.databases.push({ database: member.database, result: null, created: false, error: uncreatable });
        continue;
      }
      const info = toErrorInfo(error);
      const hint = memberHint(error, expected);
      if (hint !== undefined) previewHints.set(member.database, hint);
      result.databases.push({ database: member.database, result: null, created: false, error: info.message, ...hintOf(hint) });
    }
  }
  const blocked = result.databases.filter((d) => d.error !== null);
  if (request.dryRun) {
    if (set.globals.filename) result.rolesToCreate = await rolesTheTargetLacks(engine, target, rolesFromSet);
    // Derived from the members, as they say it: a set is ok only when each of its members is.
    result.ok = blocked.length === 0 && result.databases.every((d) => d.result?.ok === true);
    return result;
  }
  if (blocked.length > 0) throw refused(`Nothing was restored: ${blocked.map((d) => `${d.database}: ${d.error}`).join('; ')}`, refusalHint(blocked, previewHints));

  const session = await openSession(engine, target);
  try {
    const admin = await session.connect(target.dbname === 'template1' ? 'template1' : 'postgres');
    try {
      if (set.globals.filename) {
        // Checked, and for an encrypted set decrypted in memory with a key that is here (set-roles-file.ts).
        const roles = await readSetRolesFile(
          engine,
          set,
          new SetStore(engine.catalogue.db).fileOf(set.id, set.globals.filename, engine.config.backupDir),
          members.map((member) => engine.catalogue.requireBackup(member.id!)),
        ).catch((error: unknown) => {
          if (error instanceof HoldfastError) throw refused(`${error.message} Nothing was restored.`, error.hintTemplate);
          throw error;
        });
        result.roles = await applySetRoles(admin, roles.text);
      }
      const roles = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles')).rows.map((r) => r.rolname));
      const me = (await admin.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
      result.databases = [];
      for (const member of members) {
        const entry: SetRestoreResult['databases'][number] = { database: member.database, result: null, created: false, error: null };
        result.databases.push(entry);
        try {
          const exists = (await admin.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [member.database])).rowCount! > 0;
          if (!exists) {
            // As pg_dump --create would make it: the backup's locale, then its owner, privileges and settings once it is restored.
            const backup = engine.catalogue.requireBackup(member.id!);
            const tools = pickClientTools(await engine.clientTools(session.toolsDir), dumpClientMajor(backup), `Restoring ${backup.filename}`, session.toolsDir);
            const entries = backup.encrypted ? undefined : await readBackupDatabaseEntries(tools, backup, engine.config.timeoutMs);
            // Checked as a single restore checks them, before the database is created: a property that
            // would fail once the data is loaded refuses this member now, and a setting left out is said.
            const { plan, problems } = await checkedDatabasePropertiesPlan(
              admin,
              { backup: entries, mode: 'create', database: member.database, target: newDatabaseDefaults(me, null), noOwner: false, noAcl: false, roles },
              {
                rolesFile: set.globals.filename,
                skipOwnership: skipOwnershipStep(backup.format, { backupId: backup.id, target: target.name, database: member.database, create: true, clean: false, production }),
                restoreBeside: restoreBesideStep({ backupId: backup.id, target: target.name }),
              },
            );
            if (problems.length) throw new DatabasePropertiesRefused(member.database, problems);
            const fellBack = await createScratchDatabase(admin, member.database, plan);
            entry.created = true;
            const restored = await restoreBackup(engine, { ...memberRequest(member.database, false), create: false, clean: false, ref: member.id! });
            await applyDatabaseProperties(admin, member.database, plan);
            const leftOut = [
              ...plan.leftOut,
              ...(fellBack ? [fellBack] : []),
              ...(backup.format === 'plain' ? [plainDumpLeftOut('create', { database: member.database, recorded: backup.databaseSettings, kept: [] })] : []),
            ];
            const said = leftOut.map(leftOutWarning);
            entry.result = {
              ...restored,
              // The member's own restore found its database there: this restore made it, and says so first.
              actions: [createDatabaseAction(member.database, entries !== undefined && !fellBack), ...restored.actions],
              impact: {
                ...restored.impact,
                warnings: [...restored.impact.warnings, ...said.map((warning) => renderHint(warning, 'cli'))],
                appWarnings: [...restored.impact.appWarnings, ...said.map((warning) => renderHint(warning, 'app'))],
                leftOut: [...restored.impact.leftOut, ...leftOut.map(leftOutAsSaid)],
              },
            };
          } else {
            entry.result = await restoreBackup(engine, { ...memberRequest(member.database, false), ref: member.id! });
          }
        } catch (error) {
          // Its typed error whole: the message, what to do next, and the run whose tools' output says more.
          const info = toErrorInfo(error);
          Object.assign(entry, { error: info.message, ...hintOf(memberHint(error, expected)), ...(info.runId ? { runId: info.runId } : {}) });
          // A database this restore created and could not fill is not left behind looking restored.
          if (entry.created) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(member.database)}`).catch(() => undefined);
          // The other chosen databases still come back; one failure undoes nothing already restored.
          if (request.signal?.aborted) break;
        }
      }
      for (const member of members.slice(result.databases.length))
        result.databases.push({ database: member.database, result: null, created: false, error: 'not attempted: the restore was cancelled' });
    } finally {
      await admin.end();
    }
  } finally {
    await session.close();
  }
  result.ok = result.databases.length === members.length && result.databases.every((d) => d.error === null && d.result?.ok === true) && (result.roles?.failed.length ?? 0) === 0;
  return result;
}
