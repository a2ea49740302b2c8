// Verify of an encrypted backup, in one decrypting pass over the stored file: its checksum, that it
// decrypts (every chunk authenticates and the last one is marked last, so a flipped byte or a cut
// fails), the plaintext's own checksum, the archive's structure as it streams by, and — for custom
// archives — pg_restore reading its table of contents, kept from the same pass. Without a key on this
// machine only the stored checksum can be checked, and the result says why the rest was not.
import { inspectStream } from '../archive/stream-inspect.ts';
import type { ArchiveInspection } from '../archive/types.ts';
import type { EngineContext } from '../backup/backup.ts';
import { decryptFile, identitiesFor } from '../encryption/decrypt-file.ts';
import type { HeldIdentity } from '../encryption/keyring.ts';
import { sha256File } from '../fsutil/durable.ts';
import type { BackupMetadata } from '../model/types.ts';
import { tableKey } from '../pg/table-key.ts';
import type { AddCheck } from './check-types.ts';
import { checkListing, HeadCapture, listTableOfContents } from './toc-listing.ts';

export async function checkEncryptedContents(
  context: EngineContext,
  backup: BackupMetadata,
  path: string,
  add: AddCheck,
  options: { pgRestoreList?: boolean; onInspected?: (inspection: ArchiveInspection) => void; clientMajor: number },
): Promise<void> {
  let identities: HeldIdentity[];
  try {
    identities = await identitiesFor(context, backup);
  } catch (error) {
    const actual = `sha256:${await sha256File(path)}`;
    add(
      'checksum',
      actual === backup.checksum ? 'ok' : 'failed',
      actual === backup.checksum ? `${actual} (the encrypted file)` : `${actual} does not match the recorded ${backup.checksum}: the file is corrupt`,
    );
    add('decrypt', 'skipped', `The content could not be checked, only the stored file's checksum: ${(error as Error).message}`);
    return;
  }
  const inspector = inspectStream(backup.format, backup.filename, { gzip: backup.format === 'plain' && backup.compression.startsWith('gzip') });
  const listWanted = backup.format !== 'plain' && options.pgRestoreList !== false;
  // pg_restore reads only the table of contents at the archive's head; it is kept and handed over
  // after the pass, because starting a child forks this process, and after a fork every page the
  // decryption then writes faults again (row 10 of the bench: +350 ms CPU on a 100 MB pass).
  const head = listWanted ? new HeadCapture() : undefined;
  let pass;
  try {
    pass = await decryptFile(path, backup, identities, head ? [inspector.sink, head] : [inspector.sink], { hashPlaintext: false });
  } catch (error) {
    await inspector.result;
    add('decrypt', 'failed', (error as Error).message);
    return;
  }
  const intact = pass.storedChecksum === backup.checksum;
  add('checksum', intact ? 'ok' : 'failed', intact ? `${pass.storedChecksum} (the encrypted file)` : `${pass.storedChecksum} does not match the recorded ${backup.checksum}: the file is corrupt`);
  // Every chunk authenticated; with the stored bytes the recorded ones, the content is the recorded content too.
  add(
    'decrypt',
    'ok',
    `decrypted with key "${pass.keyName}"; every chunk authenticates${intact && backup.encryption?.plaintextChecksum ? `, so the content is the one recorded (${backup.encryption.plaintextChecksum})` : ''}`,
  );
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
  if (head) {
    await checkListing(context, backup, options.clientMajor, add, (pgRestore) =>
      listTableOfContents(pgRestore, head, context.config.timeoutMs, (sink) => decryptFile(path, backup, identities, [sink], { hashPlaintext: false })),
    );
  }
}
