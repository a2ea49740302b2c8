// `holdfast import`: a dump made elsewhere becomes a backup like any other. The rule it keeps is the
// backup's own: nothing is catalogued unless the kept copy is a complete dump (its structure walked
// to the end; for archives, pg_restore --list reading it whenever a pg_restore new enough is here),
// checksummed, fsynced and renamed to a final name. The named file is copied, never moved or changed.
// A refused import leaves nothing: not the copy, not a run.
//
// An imported backup is pinned (catalogue.insertBackup pins what carries `imported`): Holdfast did not
// make it and cannot make it again, so automatic retention never deletes it; unpinning it (holdfast
// unpin) hands it to the retention policy like any other.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { inspectArchive, inspectCustomWithChecksum, type ArchiveInspection } from '../archive/inspect.ts';
import type { DumpOrigin } from '../archive/types.ts';
import { newId } from '../catalogue/catalogue.ts';
import { listedBackupWithChecksum } from '../catalogue/backup-rows.ts';
import { discardRun } from '../catalogue/run-rows.ts';
import type { EventBus } from '../events/bus.ts';
import { createPrivateFile, exists, pathSize, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, sealFile, sha256File } from '../fsutil/durable.ts';
import { ensureBackupDir } from '../fsutil/dir-ownership.ts';
import { DISK_FULL_HINT, HoldfastError, isDiskFull } from '../model/errors.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { tableKey } from '../pg/table-key.ts';
import { runChild, stderrTail } from '../process/child.ts';
import { localLocation } from '../storage/location.ts';
import { pickClientTools } from '../tools/discover.ts';
import { chosenEncryption } from '../encryption/precedence.ts';
import type { EngineContext } from './backup.ts';
import { sealAndChecksum } from './check-output.ts';
import { inspectImportSource, openRegularFile, reserveRoomFor, type ImportSource } from './import-source.ts';
import { skipsOwnership } from '../restore/restore-tool.ts';
import { backupFilename, TEMP_SUFFIX } from './naming.ts';
import { BackupOptionsSchema, fileExtension } from './options.ts';
import { completeSeal, removeFinalFiles } from './seal.ts';
import { PLANNED_FILE_DETAIL } from './run-claim.ts';

export interface ImportRequest {
  /** The dump: a file, or a directory-format dump's directory, on this host. */
  file: string;
  /** The profile it is listed under and restored to by default. */
  profile: string;
  /** Cancels it (the CLI's Ctrl-C): the copy, the walk of a large or hostile dump, pg_restore --list. */
  signal?: AbortSignal;
}

/** The pg_restore check of an imported archive: passed, or why it could not run here. */
export interface ImportedCheck {
  pgRestore: { status: 'ok' | 'skipped'; detail: string } | null;
}

/** What an imported dump says instead of a roles file: --no-owner only for an archive (psql runs a plain script as written). */
function rolesNote(format: BackupMetadata['format']): string {
  const instead = skipsOwnership(format) ? ', or restore with --no-owner' : ' (a plain script sets its owners as written: --no-owner is for archives)';
  return `Imported: a dump made elsewhere comes without a roles file. Create its roles on the target before restoring${instead}.`;
}

function refused(message: string, hint: string): HoldfastError {
  return new HoldfastError('BAD_INPUT', message, hint);
}

function cancelled(shownAs: string): HoldfastError {
  return new HoldfastError('CANCELLED', `The import of ${shownAs} was cancelled; nothing was kept.`, 'Import it again when you want it kept.');
}

/** The first number in a version text, e.g. 18 from "18.3 (Debian …)". */
function majorOf(version: string | undefined): number | undefined {
  const major = Number(/^(\d+)/.exec(version ?? '')?.[1]);
  return Number.isInteger(major) && major > 0 ? major : undefined;
}

/** "gzip (level 6)" from an archive's header as Holdfast labels compression: "gzip:6". */
function compressionLabel(inspection: Extract<ArchiveInspection, { ok: true }>): string {
  const text = inspection.compression ?? 'none';
  const method = text.split(' ')[0] ?? 'none';
  const level = /\(level (\d+)\)/.exec(text)?.[1];
  return level === undefined ? method : `${method}:${level}`;
}

/** The file, read through a descriptor opened without following a link, into a new private file. */
async function copyFile(from: string, to: string, signal: AbortSignal | undefined): Promise<void> {
  const source = await openRegularFile(from);
  try {
    await createPrivateFile(to);
    await pipeline(createReadStream('', { fd: source.fd, autoClose: false }), createWriteStream(to, { flags: 'r+', mode: PRIVATE_FILE_MODE }), { signal });
  } finally {
    await source.close();
  }
}

/** A directory dump is flat: toc.dat and one file per data item. Anything else in it is refused. */
async function copyDirectory(from: string, to: string, signal: AbortSignal | undefined): Promise<void> {
  await mkdir(to, { mode: PRIVATE_DIR_MODE });
  for (const name of await readdir(from)) {
    const info = await lstat(join(from, name));
    if (!info.isFile()) {
      throw refused(
        `${join(from, name)} is ${info.isSymbolicLink() ? 'a symbolic link' : info.isDirectory() ? 'a directory' : 'not a regular file'}; a pg_dump directory dump holds only regular files, so ${from} is not one as pg_dump wrote it.`,
        'Import the directory exactly as pg_dump -Fd wrote it.',
      );
    }
    await copyFile(join(from, name), join(to, name), signal);
  }
}

/** pg_restore --list on the copy, with client tools at least as new as the pg_dump that wrote it. */
async function listWithPgRestore(context: EngineContext, path: string, major: number | undefined, label: string, signal: AbortSignal | undefined): Promise<ImportedCheck['pgRestore']> {
  let tools;
  try {
    tools = pickClientTools(await context.clientTools(context.config.pgBinDir), major ?? 0, `Reading ${label}`, context.config.pgBinDir);
  } catch (error) {
    return { status: 'skipped', detail: `pg_restore was not run: ${(error as Error).message}` };
  }
  const listed = await runChild(tools.paths.pg_restore, ['--list', '--', path], { env: process.env, timeoutMs: context.config.timeoutMs, signal });
  signal?.throwIfAborted();
  if (listed.exitCode !== 0) {
    throw refused(
      `${label} is not a dump pg_restore can read: pg_restore ${tools.version} --list failed: ${stderrTail(listed.stderr) || '(no message)'}`,
      'Check that the file was copied whole (compare its size or checksum with the original), then import it again.',
    );
  }
  return { status: 'ok', detail: `pg_restore ${tools.version} reads the table of contents` };
}

function versionTexts(origin: DumpOrigin): Pick<BackupMetadata, 'version' | 'serverMajor' | 'clientVersion'> {
  const server = origin.serverVersion?.split(' ')[0];
  const dumper = origin.pgDumpVersion?.split(' ')[0];
  return {
    version: server ? `PostgreSQL ${server}` : 'PostgreSQL (the dump does not say which)',
    serverMajor: majorOf(server) ?? majorOf(dumper) ?? 0,
    clientVersion: dumper ? `pg_dump ${dumper}` : 'pg_dump (the dump does not say which)',
  };
}

/** The record of the checked copy at `path`, under its final name `finalPath`. */
function importedMetadata(
  context: EngineContext,
  source: ImportSource,
  inspection: Extract<ArchiveInspection, { ok: true }>,
  sealed: Awaited<ReturnType<typeof sealAndChecksum>>,
  at: { profile: string; filename: string; finalPath: string; size: number; check: ImportedCheck; shownAs: string },
): BackupMetadata {
  const origin: DumpOrigin = { ...source.origin, ...inspection.origin };
  const rowCounts: Record<string, number> = {};
  for (const table of inspection.tables) if (table.hasData && table.rows !== undefined) rowCounts[tableKey(table.schema, table.name)] = table.rows;
  const compression = source.format === 'plain' ? (source.gzip ? 'gzip' : 'none') : compressionLabel(inspection);
  return {
    id: newId(),
    filename: at.filename,
    timestamp: source.modifiedAt.toISOString(),
    size: at.size,
    compressed: compression !== 'none',
    encrypted: false,
    checksum: `sha256:${sealed.checksum}`,
    // Unknown: the database was never connected to. 0 rather than a guess.
    databaseSize: 0,
    tables: inspection.tables.map((table) => tableKey(table.schema, table.name)),
    ...versionTexts(origin),
    duration: 0,
    profile: at.profile,
    // Not known unless the dump says it: the profile's database is where it may be restored, not what it holds.
    database: origin.database ?? null,
    path: at.finalPath,
    location: localLocation(at.finalPath, context.config.backupDir),
    format: source.format,
    compression,
    status: 'completed',
    rowCounts,
    options: BackupOptionsSchema.parse({ format: source.format }),
    globals: { filename: null, checksum: null, note: rolesNote(source.format) },
    ...(sealed.files ? { files: sealed.files } : {}),
    imported: { from: at.shownAs, at: new Date().toISOString(), pgRestore: at.check.pgRestore?.status ?? 'not-applicable' },
  };
}

function alreadyCatalogued(shownAs: string, filename: string, checksum: string): HoldfastError {
  return new HoldfastError('CONFLICT', `${shownAs} is already in the catalogue as ${filename}: the same bytes, checksum ${checksum}.`, `Use ${filename} instead. {{list-backups}} to find it.`);
}

/** The run started, unless a running run (an import in this or another Holdfast) is writing the same temp name. */
function claimImportName(catalogue: EngineContext['catalogue'], tempPath: string, start: () => string): string {
  return catalogue.db
    .transaction(() => {
      const holder = catalogue.db.prepare(`SELECT id FROM runs WHERE status = 'running' AND temp_path = ?`).pluck().get(tempPath) as string | undefined;
      if (holder !== undefined) {
        throw new HoldfastError(
          'CONFLICT',
          `Another import (run ${holder}) is copying a dump modified at the same moment under the same profile, to ${tempPath}.`,
          'Wait for it to finish, then import this one under another profile if it is another dump (holdfast list shows what the first became).',
        );
      }
      return start();
    })
    .immediate();
}

/**
 * The profile an import is listed under, refused before a byte is read or received: a whole-server
 * profile keeps sets, not one dump, and an encrypting one would sit a plaintext dump beside its backups.
 */
export function requireImportProfile(engine: EngineContext, name: string): Profile {
  const { catalogue, config } = engine;
  const profile = catalogue.requireProfile(name);
  if (profile.wholeServer) {
    throw refused(
      `Profile "${profile.name}" backs up a whole server, as sets of one backup per database; one imported dump is not such a set.`,
      'Import the dump under a single-database profile (holdfast profile add … --dbname D), then restore it to whichever profile you need.',
    );
  }
  // An imported dump is kept as it came, in the clear: where the profile's backups are encrypted
  // (its own choice or BACKUP_ENCRYPTION_KEY), one plaintext dump beside them would undo that.
  const encryption = chosenEncryption({ profile: { value: profile.encryptTo, label: `Profile "${profile.name}"` }, setting: config.encryptTo });
  if (encryption.value !== 'none') {
    throw refused(
      `Profile "${profile.name}"'s backups are encrypted (${encryption.chosenBy} chooses ${encryption.value.join(', ')}), and Holdfast keeps an imported dump as it came, in the clear: it would sit unencrypted beside them.`,
      `Import it under a profile whose backups are deliberately not encrypted (holdfast profile edit NAME --no-encrypt), or restore the dump with pg_restore and take a backup of that database.`,
    );
  }
  return profile;
}

export async function importDump(engine: EngineContext & { events: Pick<EventBus, 'emit'> }, request: ImportRequest): Promise<BackupMetadata & ImportedCheck> {
  const profile = requireImportProfile(engine, request.profile);
  const source = await inspectImportSource(request.file, engine.config.backupDir);
  return importSource(engine, profile, source, { shownAs: source.path, take: 'copy', signal: request.signal });
}

/** How the checked source is named to the DBA, and whether it is copied (a DBA's file) or moved (an upload's own temp). */
export interface SourceHandling {
  /** The path a DBA named, or "upload of NAME": what messages and the record's `imported.from` say. */
  shownAs: string;
  take: 'copy' | 'move';
  /** Stops the import until it is sealed; it then leaves nothing, as a refused one does. */
  signal?: AbortSignal | undefined;
}

/** A checked source, copied (or moved) to a temp name, checked whole, sealed and catalogued. */
export async function importSource(
  engine: EngineContext & { events: Pick<EventBus, 'emit'> },
  profile: Profile,
  source: ImportSource,
  handling: SourceHandling,
): Promise<BackupMetadata & ImportedCheck> {
  const { catalogue, config } = engine;
  const shownAs = handling.shownAs;
  const extension = fileExtension(source.format, { method: source.gzip ? 'gzip' : 'none' });
  const filename = await importFilename(catalogue, config.backupDir, source.modifiedAt, profile.name, extension);
  const finalPath = join(config.backupDir, filename);
  const tempPath = `${finalPath}${TEMP_SUFFIX}`;
  if (handling.signal?.aborted) throw cancelled(shownAs);
  await ensureBackupDir(config.backupDir);
  // A move within BACKUP_DIR takes no room; its bytes were counted when they were received.
  const room = handling.take === 'copy' ? reserveRoomFor(shownAs, await pathSize(source.path), config.backupDir) : undefined;
  try {
    return await importReserved(engine, profile, source, { ...handling, filename, finalPath, tempPath });
  } finally {
    room?.release();
  }
}

/**
 * The name an import is kept under: backup-<modified>-<profile>-imported.<ext>, or -imported-2, -3…
 * while a catalogue row whose file is gone holds it (a deleted backup's history, a missing one): a name
 * is one row's for good, so the same dump deleted and imported again failed on the catalogue's UNIQUE
 * name, as "a bug in Holdfast". A name whose file is there stays the choice: it is refused below.
 */
async function importFilename(catalogue: EngineContext['catalogue'], backupDir: string, at: Date, profile: string, extension: string): Promise<string> {
  for (let copy = 1; ; copy += 1) {
    const filename = backupFilename(at, profile, copy === 1 ? 'imported' : `imported-${copy}`, extension);
    if (!catalogue.findBackup(filename) || (await exists(join(backupDir, filename)))) return filename;
  }
}

/** importSource once the room for a copy is held: the copy, its checks, the seal and the catalogue row. */
async function importReserved(
  engine: EngineContext & { events: Pick<EventBus, 'emit'> },
  profile: Profile,
  source: ImportSource,
  handling: SourceHandling & { filename: string; finalPath: string; tempPath: string },
): Promise<BackupMetadata & ImportedCheck> {
  const { catalogue, config } = engine;
  const { shownAs, filename, finalPath, tempPath, signal } = handling;
  // The run protects the copy from another Holdfast's start-up clean-up of leftover temp files, and
  // claims the name: two dumps with one modification time share it, so a second import while the
  // first copies would write (and on its refusal remove) the first's temp, or rename over its backup.
  const runId = claimImportName(catalogue, tempPath, () => catalogue.startRun({ kind: 'backup', profile: profile.name, tempPath, detail: { importedFrom: shownAs, [PLANNED_FILE_DETAIL]: filename } }));
  // Checked once the name is ours: an import that held it has renamed its copy by the time it let go.
  if (await exists(finalPath)) {
    discardRun(catalogue.db, runId);
    // The same file imported again has the same name: say so plainly when its bytes are the kept ones,
    // rather than guess at "a dump modified at the same moment".
    const kept = catalogue.findBackup(filename);
    if (kept && source.format !== 'directory' && kept.checksum === `sha256:${await sha256File(source.path)}`) throw alreadyCatalogued(shownAs, kept.filename, kept.checksum);
    throw new HoldfastError(
      'CONFLICT',
      `${finalPath} already exists: a dump modified at the same moment was imported under profile "${profile.name}" before.`,
      '{{list-backups}}; import it under another profile if it is another dump.',
    );
  }
  let sealing = false;
  try {
    if (handling.take === 'move') await rename(source.path, tempPath);
    else if (source.format === 'directory') await copyDirectory(source.path, tempPath, signal);
    else await copyFile(source.path, tempPath, signal);
    // From here on only the copy is read: it is what will be kept, whatever happens to the original.
    // A custom archive's data is read, and gzip data inflated, as a backup's is: walked block to block
    // alone, a table whose data pg_restore cannot inflate passed, and one whose zlib stream is followed
    // by more bytes made a restore spin until its time limit. Its COPY data gives its rows, as a plain
    // dump's does, and its checksum comes from the same read. A hostile table inflates to far more than
    // its size (a MiB of a zlib bomb is a GiB of rows): the signal stops the walk wherever it is.
    const inspection: ArchiveInspection & { sha256?: string } =
      source.format === 'custom'
        ? await inspectCustomWithChecksum(tempPath, { signal })
        : await inspectArchive(tempPath, source.format, source.format === 'plain' ? { gzip: source.gzip, signal } : { signal });
    if (!inspection.ok) {
      throw refused(
        `${shownAs} is not a complete ${source.format}-format dump: ${inspection.problem.replaceAll(tempPath, 'the copy')}.`,
        'Copy the whole dump again from where pg_dump wrote it (a cut transfer or a full disk truncates it), then import that.',
      );
    }
    const origin = { ...source.origin, ...inspection.origin };
    const check: ImportedCheck = {
      pgRestore: source.format === 'plain' ? null : await listWithPgRestore(engine, tempPath, majorOf(origin.pgDumpVersion), shownAs, signal),
    };
    // The last moment to stop: once sealing is recorded, the import finishes (it takes an fsync and a rename).
    signal?.throwIfAborted();
    const sealed = inspection.sha256 === undefined ? await sealAndChecksum(tempPath, source.format) : { checksum: (await sealFile(tempPath), inspection.sha256), files: undefined };
    const twin = listedBackupWithChecksum(catalogue.db, `sha256:${sealed.checksum}`);
    if (twin) throw alreadyCatalogued(shownAs, twin, `sha256:${sealed.checksum}`);
    const metadata = importedMetadata(engine, source, inspection, sealed, {
      profile: profile.name,
      filename,
      finalPath,
      size: await pathSize(tempPath),
      check,
      shownAs,
    });
    catalogue.recordSealing(runId, metadata);
    sealing = true;
    await completeSeal(catalogue, runId, metadata, { importedFrom: shownAs, filename });
    const kept = catalogue.findBackup(metadata.id) ?? metadata;
    await engine.events.emit({ kind: 'backup.imported', backup: kept, from: shownAs });
    return { ...kept, ...check };
  } catch (error) {
    await rm(tempPath, { recursive: true, force: true });
    if (sealing) await removeFinalFiles({ path: finalPath });
    // Nothing was imported, so nothing is recorded: a refused file is not a failed backup of the profile.
    discardRun(catalogue.db, runId);
    if (signal?.aborted && !sealing) throw cancelled(shownAs);
    if (error instanceof HoldfastError) throw error;
    if (isDiskFull(error)) throw new HoldfastError('BACKUP_FAILED', `Copying ${shownAs} into ${config.backupDir} failed: the disk is full.`, DISK_FULL_HINT);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'ELOOP')
      throw refused(`${shownAs} cannot be read (${code}).`, 'Give the user Holdfast runs as read access to the dump, and name the dump itself, not a link to it.');
    throw error;
  }
}
