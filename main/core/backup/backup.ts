// One backup, start to finish. The rule it keeps: a backup is recorded as completed only when
// pg_dump exited 0, the output is structurally complete, the row counts were taken in the dump's own
// snapshot, and the file is checksummed, fsynced and renamed to its final name. Anything else is a
// failed run with the reason, and no file under a final name. A crash from the first rename on is
// finished or undone by the next start (seal.ts); pg_dump never outlives us (process/child.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { databaseSize, openSnapshot } from './snapshot.ts';
import { inspectAndChecksum } from './check-output.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import { newId } from '../catalogue/catalogue.ts';
import { localLocation } from '../storage/location.ts';
import { DISK_FULL_HINT, HoldfastError, isDiskFull, toErrorInfo, toolSaysDiskFull } from '../model/errors.ts';
import { createPrivateFile, exists, pathSize, sealFile } from '../fsutil/durable.ts';
import { ensureBackupDir } from '../fsutil/dir-ownership.ts';
import { dbnameConninfo } from '../pg/connection.ts';
import { readDatabaseSettings, withheldValues } from '../pg/database-settings.ts';
import { tableKey } from '../pg/table-key.ts';
import { archiveRows, countRows, countsRowsFromArchive, dumpsEveryTable, userTables } from './row-counts.ts';
import { openSession, type CredentialSource, type ServerSession } from '../pg/session.ts';
import { probeLifeline, startChild, stderrTail, type ChildRecord } from '../process/child.ts';
import { crashPoint } from '../process/crash-point.ts';
import { pickClientTools } from '../tools/discover.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { backupFilename, companionPaths, ENCRYPTED_SUFFIX, TEMP_SUFFIX } from './naming.ts';
import { plaintextReaders, writeEncrypted } from './encrypted-output.ts';
import { incompleteDump, openDumpPipe, readDumpPipe, type DumpPipe } from './dump-pipe.ts';
import { followCustomOutput, type OutputFollower } from './follow-output.ts';
import { dumpGlobals, type SavedGlobals } from './globals.ts';
import { inspectStream, STREAMABLE_FORMATS } from '../archive/stream-inspect.ts';
import { recipientFingerprint } from '../encryption/recipients.ts';
import type { IdentitySource } from '../encryption/decrypt-file.ts';
import type { EncryptionPlan } from '../encryption/encryption-plan.ts';
import { completeSeal, removeFinalFiles } from './seal.ts';
import { claimRun, PLANNED_FILE_DETAIL, recordFailure } from './run-claim.ts';
import { keepRunToolOutput } from '../catalogue/tool-output-rows.ts';
import type { ToolStderr } from '../process/tool-output.ts';
import { toolApplicationName, watchLockWaits, type LockWatch } from '../pg/lock-wait.ts';
import { endBackendsOfStoppedRun } from '../pg/run-backends.ts';
import { describeLockWait, type LockWait } from '../model/lock-wait.ts';
import { compressionLabel, effectiveCompression, fileExtension, pgDumpArgs, type BackupOptions } from './options.ts';

export interface BackupProgress {
  /** 'failed' is only reported for a member of a whole-server set: the set goes on with the other databases. */
  phase: 'connecting' | 'dumping' | 'checking' | 'counting' | 'globals' | 'checksumming' | 'done' | 'failed';
  bytes: number;
  elapsedMs: number;
  /** The size of this profile's previous backup in the same format, when there is one: a progress estimate. */
  expectedBytes: number | undefined;
  /** A whole-server set's member: which database this report is about (several run at once). */
  database?: string;
  /** pg_dump is waiting for another session's lock (pg/lock-wait.ts); absent while it is not. */
  lockWait?: LockWait;
  /**
   * Every process this backup runs (pg_dump, and pg_dumpall unless a set saves the roles) has started:
   * from here its work is this process's own. The CLI then lowers its main thread's priority
   * (cli/helper-threads.ts), which a child started later would inherit.
   */
  toolsStarted?: true;
}

export interface EngineContext extends CredentialSource, IdentitySource {
  config: HoldfastConfig;
  catalogue: Catalogue;
}

export interface BackupRequest {
  profile: Profile;
  options: BackupOptions;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  /** How often to sample the output size for progress and the size limit. */
  pollMs?: number;
  /** Recorded with the run: manual, or which schedule and whether as a catch-up. */
  trigger?: Record<string, unknown>;
  /**
   * A member of a backup set (sets/take-set.ts): the set's run holds the profile's claim and the set
   * keeps the one roles file; fileTag tells the member's file apart from its siblings'.
   */
  setMember?: { setId: string; fileTag: string };
  /** Who the backup is encrypted to (encryption/encryption-plan.ts); absent: not encrypted. */
  encryption?: EncryptionPlan;
}

function sizeLimitLabel(bytes: number): string {
  return `${Number((bytes / 1048576).toFixed(2))} MB`;
}

function failure(message: string, hint?: string): HoldfastError {
  return new HoldfastError('BACKUP_FAILED', message, hint);
}

export async function runBackup(context: EngineContext, request: BackupRequest): Promise<BackupMetadata> {
  const { config, catalogue } = context;
  const { profile, options } = request;
  const startedAt = new Date();
  const startedMs = performance.now();
  const elapsed = () => Math.round(performance.now() - startedMs);
  const previous = catalogue
    .listBackups({ profile: profile.name, statuses: ['completed'] })
    .filter((b) => b.format === options.format)
    .at(-1);
  const expectedBytes = previous?.size;
  let lockWatch: LockWatch | undefined;
  // Every tool's stderr, kept with the run at its end (catalogue/tool-output-rows.ts).
  const toolStderr: ToolStderr[] = [];
  let toolsToStart = request.setMember ? 1 : 2;
  const progress = (phase: BackupProgress['phase'], bytes = 0) => {
    const lockWait = lockWatch?.current();
    request.onProgress?.({ phase, bytes, elapsedMs: elapsed(), expectedBytes, ...(lockWait ? { lockWait } : {}), ...(toolsToStart === 0 ? { toolsStarted: true } : {}) });
  };

  const compression = effectiveCompression(options, config.compressionDefault);
  // Encrypted: pg_dump's output goes through a pipe to the encryptor, so no plaintext reaches a disk.
  const plan = request.encryption;
  if (plan && !STREAMABLE_FORMATS.includes(options.format)) {
    throw new HoldfastError(
      'BAD_INPUT',
      `${plan.chosenBy} asks for encryption, and a ${options.format}-format backup cannot be encrypted: ${options.format === 'directory' ? 'pg_dump writes its files to disk itself' : 'its completeness check needs to read the archive out of order'}, so plaintext would reach the disk or go unchecked.`,
      'Use --format custom (or plain) for encrypted backups (custom restores selectively and is the default), or --no-encrypt for this backup.',
    );
  }
  const extension = fileExtension(options.format, compression) + (plan ? ENCRYPTED_SUFFIX : '');
  const member = request.setMember;
  const filename = backupFilename(startedAt, profile.name, [options.suffix, member?.fileTag].filter(Boolean).join('-') || undefined, extension);
  const finalPath = join(config.backupDir, filename);
  const tempPath = `${finalPath}${TEMP_SUFFIX}`;
  const companions = companionPaths(finalPath);
  const globalsTemp = `${companions.globals}${TEMP_SUFFIX}`;

  // Check and claim in one IMMEDIATE transaction, before any await: two Holdfast processes (or a
  // double click) cannot both start a backup of the same profile.
  const startRun = () =>
    catalogue.startRun({
      kind: 'backup',
      profile: profile.name,
      tempPath,
      detail: { [PLANNED_FILE_DETAIL]: filename, options, trigger: request.trigger ?? { kind: 'manual' }, ...(member ? { set: member.setId } : {}) },
    });
  const runId = member ? startRun() : claimRun(catalogue, profile.name, startRun);
  // Recorded with the run, so a Holdfast killed mid-dump has its pg_dump ended at the next start.
  const onStart = (child: ChildRecord) => {
    try {
      catalogue.recordChild(runId, child);
    } catch {
      // A catalogue that cannot take the row (a full disk) must not stop the dump here; the lifeline
      // still ends the child with us, and the failure reaches the run's own record below.
    }
    if (--toolsToStart === 0) progress('dumping');
  };
  let client: pg.Client | undefined;
  let snapshotEnded: Promise<void> | undefined;
  let follower: OutputFollower | undefined;
  let sideWork: Promise<unknown> | undefined;
  let session: ServerSession | undefined;
  let pipe: DumpPipe | undefined;
  // Once the run records the sealing metadata, a failure must take the final files away again.
  let sealing = false;
  const sideWorkAbort = new AbortController();
  const sideSignal = request.signal ? AbortSignal.any([request.signal, sideWorkAbort.signal]) : sideWorkAbort.signal;
  try {
    await ensureBackupDir(config.backupDir);
    if (await exists(finalPath)) throw new HoldfastError('CONFLICT', `${finalPath} already exists.`, 'Wait a moment and run the backup again.');
    progress('connecting');
    session = await openSession(context, profile);
    // Which client tools there are (pg_dump --version) and whether setpriv can tie pg_dump's life to
    // ours are asked while the connection is made, not after it.
    const toolsAsked = Promise.allSettled([context.clientTools(session.toolsDir), probeLifeline(context.programAnswers)]);
    client = await session.connect();
    // The dump and the row counts see the same data: pg_dump imports this transaction's snapshot.
    const server = await openSnapshot(client);
    const { snapshot } = server;
    const [toolSets] = await toolsAsked;
    if (toolSets.status === 'rejected') throw toolSets.reason;
    const tools = pickClientTools(toolSets.value, server.major, `Backing up profile "${profile.name}" (${server.versionText})`, session.toolsDir);

    // pg_dump's backends carry the run's name, so a second connection can see them wait for a lock.
    // One environment per child: each names a passfile of its own, removed once that child has
    // connected, so a shared one would be gone before the slower of pg_dump and pg_dumpall read it.
    const toolSession = session;
    const toolEnv = () => ({ ...toolSession.childEnv(), PGAPPNAME: toolApplicationName(runId) });
    const encrypt = plan !== undefined;
    // The structural check reads the plaintext as it passes on its way to the encryptor.
    const streamed = encrypt
      ? inspectStream(options.format, filename, { gzip: options.format === 'plain' && compression.method === 'gzip', countRows: countsRowsFromArchive(options, compression) })
      : undefined;
    // A check that lets go of what it reads can be fed from a thread of its own (dump-pipe.ts).
    pipe = streamed && plaintextReaders(streamed.sink) > 0 ? await openDumpPipe(tools.major) : undefined;
    const args = pgDumpArgs({
      options,
      compression,
      clientMajor: tools.major,
      output: encrypt ? (pipe ? { fifo: pipe.path } : 'stdout') : { file: tempPath },
      snapshot,
      dbnameConninfo: dbnameConninfo(profile.dbname),
    });
    if (options.format !== 'directory') await createPrivateFile(tempPath);

    progress('dumping');
    const dump = startChild(tools.paths.pg_dump, args, { env: toolEnv(), signal: request.signal, timeoutMs: config.timeoutMs, onStart, streamStdout: encrypt && !pipe });
    // The lock watch's connection is begun once pg_dump is on its way: every ms before the spawn is
    // wall time of the backup, and pg_dump takes far longer to reach its first lock than this to connect.
    const watched = session;
    lockWatch = watchLockWaits(() => watched.connect(), toolApplicationName(runId));
    // While pg_dump runs, its output is walked and each table's rows counted from it (custom archives),
    // or else the snapshot's transaction counts rows, and pg_dumpall saves the roles, so none of it
    // adds to the backup's wall time. Counting every table on the server is only worth it when nothing
    // is filtered out; otherwise the dumped tables are counted once the dump says which they are.
    const countsFromArchive = countsRowsFromArchive(options, compression);
    const plaintext = pipe ? readDumpPipe(pipe, plaintextReaders(streamed!.sink)) : dump.child.stdout!;
    // A failed read or write ends pg_dump too, which could otherwise wait on a FIFO nobody reads.
    const encrypting = plan ? writeEncrypted(plaintext, tempPath, plan.target, streamed!.sink).catch((error: Error) => (dump.stop('encrypting its output failed'), error)) : undefined;
    // A custom archive is walked as pg_dump writes it, so after its exit the file is only hashed.
    if (!encrypt && options.format === 'custom') follower = followCustomOutput(tempPath, filename, { countRows: countsFromArchive });
    const countedDuringDump = !countsFromArchive && dumpsEveryTable(options) ? userTables(client).then((tables) => countRows(client!, tables)) : undefined;
    const globalsDuringDump: Promise<SavedGlobals> = member
      ? Promise.resolve({ filename: null, checksum: null, note: "Roles and tablespaces are in the backup set's roles file." })
      : dumpGlobals(tools, profile, toolEnv(), globalsTemp, {
          signal: sideSignal,
          timeoutMs: config.timeoutMs,
          onStart,
          encryptTo: plan?.target,
          onStderr: (stderr) => toolStderr.push({ tool: 'pg_dumpall', stderr }),
        });
    // Asked beside the dump, not before it: it walks the database's directory on the server.
    const sizeOnDisk = databaseSize(client);
    // A plain dump cannot carry the database's own settings: recorded, so its restore can name each one it leaves out.
    // Asked once the size is answered: one connection takes one query at a time (pg@9 refuses a second).
    const settingsClient = client;
    const readSettings = () => readDatabaseSettings(settingsClient, null);
    const databaseSettings = options.format === 'plain' ? sizeOnDisk.then(readSettings, readSettings) : undefined;
    sideWork = Promise.allSettled([countedDuringDump, globalsDuringDump, encrypting, sizeOnDisk, databaseSettings]);
    let lastBytes = -1;
    let lastGrowth = performance.now();
    const poll = setInterval(() => {
      pathSize(tempPath)
        .catch(() => lastBytes)
        .then(async (bytes) => {
          progress('dumping', bytes);
          if (bytes !== lastBytes) {
            lastBytes = bytes;
            lastGrowth = performance.now();
          }
          if (config.maxSizeBytes > 0 && bytes > config.maxSizeBytes) {
            dump.stop(`the backup passed BACKUP_MAX_SIZE_MB (${sizeLimitLabel(config.maxSizeBytes)})`);
          } else if (config.stallMs > 0 && performance.now() - lastGrowth > config.stallMs) {
            // A dump waiting on someone's lock, or on a server that stopped answering, writes nothing.
            const lockWait = await lockWatch?.settled();
            dump.stop(`no bytes were written for ${Math.round(config.stallMs / 1000)} s (BACKUP_STALL_SECONDS)${lockWait ? `, ${describeLockWait(lockWait)}` : ''}`);
          }
        });
    }, request.pollMs ?? 500);
    const result = await dump.done.finally(() => {
      clearInterval(poll);
      pipe?.closeWriter();
    });
    // Its connection closes while the file is checked; no message reads the watch once it is stopped.
    void lockWatch.stop();
    // A pg_dump stopped in a lock queue leaves its backend queued there (pg/run-backends.ts).
    if (result.stoppedBecause) await endBackendsOfStoppedRun(() => watched.connect(), runId);
    toolStderr.unshift({ tool: 'pg_dump', stderr: result.stderr });
    const encrypted = await encrypting;
    if (result.stoppedBecause === 'cancelled') throw new HoldfastError('CANCELLED', 'The backup was cancelled; nothing was kept.');
    // Before pg_dump's exit: a failed write (a full disk) ends pg_dump with a broken pipe, which is not the cause.
    if (encrypted instanceof Error)
      throw failure(`Encrypting pg_dump's output failed: ${encrypted.message}`, isDiskFull(encrypted) ? DISK_FULL_HINT : 'Check the disk and BACKUP_ENCRYPTION_KEY, then run the backup again.');
    if (result.stoppedBecause)
      throw failure(
        `pg_dump was stopped: ${result.stoppedBecause}.`,
        'Check for sessions holding locks (pg_locks) and the server, raise the limit (BACKUP_TIMEOUT_SECONDS / BACKUP_STALL_SECONDS / BACKUP_MAX_SIZE_MB), or back up less (--table, --exclude-table).',
      );
    const unmatched = /no matching (tables|schemas) were found for pattern "(.*)"/.exec(result.stderr);
    if (result.exitCode !== 0 && unmatched) {
      const kind = unmatched[1] === 'tables' ? 'table' : 'schema';
      throw failure(
        `No ${kind} in database "${profile.dbname}" matches the ${kind} pattern "${unmatched[2]}", so no backup was kept (a backup without it would look complete).`,
        `Check the ${kind} name's spelling and case (patterns follow psql: an upper-case name is quoted, e.g. '"Sales".*'), then run the backup again.`,
      );
    }
    if (result.exitCode !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      throw failure(
        `pg_dump ${how}: ${stderrTail(result.stderr) || '(no message)'}`,
        toolSaysDiskFull(result.stderr) ? DISK_FULL_HINT : "The message above is pg_dump's own; fix its cause and run the backup again.",
      );
    }

    progress('checking');
    const size = await pathSize(tempPath);
    if (size === 0) throw failure('pg_dump exited 0 but wrote nothing.', 'The client tools may be broken; check `pg_dump --version` and the disk.');
    // The poll above stops a dump early; this catches one that outgrew the limit between two polls.
    if (config.maxSizeBytes > 0 && size > config.maxSizeBytes)
      throw failure(`The backup (${size} bytes) passed BACKUP_MAX_SIZE_MB (${sizeLimitLabel(config.maxSizeBytes)}).`, 'Raise BACKUP_MAX_SIZE_MB or back up less (--table, --exclude-table).');
    // Structure and checksum read the same fresh file; reading it twice in parallel costs one pass.
    const [inspection, sealed] = encrypted
      ? await Promise.all([streamed!.result, sealFile(tempPath).then(() => ({ checksum: encrypted.checksum.slice('sha256:'.length), files: undefined }))])
      : await inspectAndChecksum(tempPath, options.format, { gzip: options.format === 'plain' && compression.method === 'gzip' }, follower);
    if (!inspection.ok) throw failure(...incompleteDump(inspection.problem, pipe?.path));

    progress('counting', size);
    const counted = countedDuringDump ? await countedDuringDump : countsFromArchive ? archiveRows(inspection.tables) : {};
    const uncounted = inspection.tables.filter((table) => table.hasData && counted[tableKey(table.schema, table.name)] === undefined);
    Object.assign(counted, await countRows(client, uncounted));
    const rowCounts: Record<string, number> = {};
    for (const table of inspection.tables) {
      const key = tableKey(table.schema, table.name);
      if (!table.hasData) continue;
      rowCounts[key] = counted[key]!;
      if (table.rows !== undefined && table.rows !== rowCounts[key]) {
        throw failure(`The dump holds ${table.rows} rows of ${key} but the snapshot has ${rowCounts[key]}.`, 'This should never happen; keep the logs and report it.');
      }
    }
    const databaseSizeBytes = await sizeOnDisk;
    const settingsOfDatabase = await databaseSettings;
    // The counts are in. The snapshot's read-only transaction has nothing to commit: its session ends
    // (rolling it back) while the backup is sealed, not before; the finally waits for it.
    snapshotEnded = client.end().catch(() => undefined);
    client = undefined;

    progress('checksumming', size);
    const { plaintextChecksum: globalsPlaintextChecksum, ...globals } = await globalsDuringDump;
    const { checksum, files } = sealed;
    const metadata: BackupMetadata = {
      id: newId(),
      filename,
      timestamp: startedAt.toISOString(),
      size,
      compressed: compression.method !== 'none',
      encrypted: encrypted !== undefined,
      ...(encrypted
        ? {
            encryption: {
              recipients: [...plan!.recipients],
              fingerprints: plan!.recipients.map(recipientFingerprint),
              plaintextSize: encrypted.plaintextSize,
              plaintextChecksum: encrypted.plaintextChecksum,
              globalsPlaintextChecksum: globalsPlaintextChecksum ?? null,
            },
          }
        : {}),
      checksum: `sha256:${checksum}`,
      databaseSize: databaseSizeBytes,
      tables: inspection.tables.map((table) => tableKey(table.schema, table.name)),
      version: server.versionText,
      duration: elapsed(),
      profile: profile.name,
      database: server.database,
      path: finalPath,
      location: localLocation(finalPath, config.backupDir),
      format: options.format,
      compression: compressionLabel(compression),
      status: 'completed',
      rowCounts,
      serverMajor: server.major,
      clientVersion: `pg_dump ${tools.version}`,
      options,
      globals,
      ...(files ? { files } : {}),
      ...(settingsOfDatabase ? { databaseSettings: plan ? withheldValues(settingsOfDatabase) : settingsOfDatabase } : {}),
      ...(member ? { set: member.setId } : {}),
    };
    catalogue.recordSealing(runId, metadata);
    sealing = true;
    crashPoint('backup:sealing-recorded');
    await completeSeal(catalogue, runId, metadata);
    progress('done', size);
    return metadata;
  } catch (error) {
    // End the snapshot's connection first: a count blocked by another session's lock must not hold
    // up the failure. Then let pg_dumpall finish writing its temp file before it is removed.
    if (client) await client.end().catch(() => undefined);
    client = undefined;
    sideWorkAbort.abort();
    await sideWork;
    await follower?.stop();
    await rm(tempPath, { recursive: true, force: true });
    await rm(globalsTemp, { force: true });
    // Failed while sealing (a rename, the sidecar, the row): no complete-looking file may stay behind.
    if (sealing) await removeFinalFiles({ path: finalPath });
    // The run keeps the hint the caller is given, not toErrorInfo's for an unexpected error.
    const thrown = error instanceof HoldfastError ? error : failure(toErrorInfo(error).message, isDiskFull(error) ? DISK_FULL_HINT : undefined);
    recordFailure(catalogue, runId, thrown.toInfo(), config.home);
    throw thrown;
  } finally {
    keepRunToolOutput(catalogue.db, runId, toolStderr);
    await lockWatch?.stop();
    if (client) await client.end().catch(() => undefined);
    await snapshotEnded;
    await session?.close();
    await pipe?.remove();
  }
}
