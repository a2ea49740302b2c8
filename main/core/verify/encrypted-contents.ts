// Verify of an encrypted backup, in one decrypting pass over the stored file: its checksum, that it
// decrypts (every chunk authenticates and the last one is marked last, so a flipped byte or a cut
// fails), the plaintext's own checksum, the archive's structure as it streams by, and — for custom
// archives — pg_restore reading its table of contents, fed from the same pass. Without a key on this
// machine only the stored checksum can be checked, and the result says why the rest was not.
import { inspectStream } from '../archive/stream-inspect.ts';
import type { ArchiveInspection } from '../archive/types.ts';
import type { EngineContext } from '../backup/backup.ts';
import { decryptFile, identitiesFor } from '../encryption/decrypt-file.ts';
import type { HeldIdentity } from '../encryption/keyring.ts';
import { sha256File } from '../fsutil/durable.ts';
import type { BackupMetadata } from '../model/types.ts';
import { tableKey } from '../pg/table-key.ts';
import { warmSpawner } from '../process/spawner.ts';
import type { AddCheck } from './check-types.ts';
import { checkListing, ListingFeed, listFrom } from './toc-listing.ts';

/** The decrypt check's words when every chunk authenticated: a verify's, and a drill's of the stored file (drill/stored-checks.ts). */
export function decryptedDetail(keyName: string, backup: Pick<BackupMetadata, 'encryption'>, storedIntact: boolean): string {
  const plaintext = backup.encryption?.plaintextChecksum;
  return `decrypted with key "${keyName}"; every chunk authenticates${storedIntact && plaintext ? `, so the content is the one recorded (${plaintext})` : ''}`;
}

export async function checkEncryptedContents(
  context: EngineContext,
  backup: BackupMetadata,
  path: string,
  add: AddCheck,
  options: { pgRestoreList?: boolean; onInspected?: (inspection: ArchiveInspection) => void; clientMajor: number },
): Promise<void> {
  const listWanted = backup.format !== 'plain' && options.pgRestoreList !== false;
  // The helper that will start pg_restore boots while the keys are read (once per process).
  if (listWanted) warmSpawner();
  let identities: HeldIdentity[];
  try {
    identities = await identitiesFor(context, backup);
  } catch (error) {
    await addStoredChecksum(backup, path, add);
    add('decrypt', 'skipped', `The content could not be checked, only the stored file's checksum: ${(error as Error).message}`);
    return;
  }
  // pg_restore starts with the pass and reads the archive's head from it as it is decrypted, through
  // the end of the table of contents (the walk says where); its check is recorded last, after the
  // pass's own, whatever order they finish in.
  const feed = listWanted ? new ListingFeed() : undefined;
  const inspector = inspectStream(backup.format, backup.filename, {
    gzip: backup.format === 'plain' && backup.compression.startsWith('gzip'),
    ...(feed ? { onTocEnd: (offset: number) => feed.endAt(offset) } : {}),
  });
  const listingChecks: Parameters<AddCheck>[] = [];
  const listing = feed
    ? checkListing(
        context,
        backup,
        options.clientMajor,
        (...check) => listingChecks.push(check),
        (pgRestore) => listFrom(pgRestore, feed, context.config.timeoutMs),
      ).finally(() => feed.stop())
    : undefined;
  let pass;
  try {
    pass = await decryptFile(path, backup, identities, feed ? [inspector.sink, feed] : [inspector.sink], { hashPlaintext: false });
  } catch (error) {
    await Promise.all([inspector.result, listing]);
    // The pass stopped before its hash was done: the stored file is hashed on its own, so the result
    // says whether it changed since it was written (it was sealed fine) or was written so.
    await addStoredChecksum(backup, path, add);
    add('decrypt', 'failed', (error as Error).message);
    return;
  }
  const intact = pass.storedChecksum === backup.checksum;
  add('checksum', intact ? 'ok' : 'failed', intact ? `${pass.storedChecksum} (the encrypted file)` : `${pass.storedChecksum} does not match the recorded ${backup.checksum}: the file is corrupt`);
  // Every chunk authenticated; with the stored bytes the recorded ones, the content is the recorded content too.
  add('decrypt', 'ok', decryptedDetail(pass.keyName, backup, intact));
  const inspection = await inspector.result;
  options.onInspected?.(inspection);
  if (!inspection.ok) add('structure', 'failed', inspection.problem);
  else {
    add('structure', 'ok', `${inspection.tables.length} tables, complete`);
    const fileRows = inspection.tables.filter((table) => table.rows !== undefined);
    if (fileRows.length > 0) {
      const wrong = fileRows.filter((table) => backup.rowCounts[tableKey(table.schema, table.name)] !== table.rows);
      add(
        'rowCounts',
        wrong.length === 0 ? 'ok' : 'failed',
        wrong.length === 0 ? `${fileRows.length} tables match the manifest` : `rows differ from the manifest for ${wrong.map((t) => tableKey(t.schema, t.name)).join(', ')}`,
      );
    }
  }
  await listing;
  for (const check of listingChecks) add(...check);
}

/** The stored file's checksum against the recorded one, read on its own (no key, or a pass that stopped). */
async function addStoredChecksum(backup: BackupMetadata, path: string, add: AddCheck): Promise<void> {
  const actual = `sha256:${await sha256File(path)}`;
  add(
    'checksum',
    actual === backup.checksum ? 'ok' : 'failed',
    actual === backup.checksum ? `${actual} (the encrypted file)` : `${actual} does not match the recorded ${backup.checksum}: the file is corrupt`,
  );
}
