// The database a single backup's restore goes into: the one asked for, else the target profile's. A
// whole-server profile's dbname is only where it connects to list the server's databases and dump
// the roles (postgres by default), so a restore to one without --dbname would have filled that
// maintenance database with the backup's tables (a DBA's review restored a set member, hr, into
// postgres that way). It is refused instead, with the command that names the database.
import { HoldfastError } from '../model/errors.ts';
import { hintText } from '../model/hint-actions.ts';
import { shellWord } from '../model/shell-word.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';

export function restoreTargetDatabase(
  request: { dbname?: string | undefined; create: boolean },
  target: Pick<Profile, 'name' | 'host' | 'port' | 'dbname' | 'wholeServer'>,
  backup: Pick<BackupMetadata, 'id' | 'database'>,
): string {
  if (request.dbname !== undefined) return request.dbname;
  if (!target.wholeServer) return target.dbname;
  const database = backup.database === null ? '<database>' : shellWord(backup.database);
  throw new HoldfastError(
    'BAD_INPUT',
    `Profile "${target.name}" backs up every database on ${target.host}:${target.port}; its database, ${target.dbname}, is only where it connects, so a restore to it names the database to restore into.`,
    `Name the database with --dbname: ${hintText(`holdfast restore ${backup.id} --to ${shellWord(target.name)} --dbname ${database}${request.create ? ' --create' : ''}`)}. Nothing was changed.`,
  );
}
