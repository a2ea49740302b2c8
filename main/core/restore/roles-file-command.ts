// The command that applies a backup's roles file to a restore's target, for a hint: the exact line a
// DBA copies (psql, connected as the target profile, to its maintenance database), since a single
// backup's restore does not apply the file itself (a set's restore does: sets/apply-roles.ts). The
// app has no control for it either, so both shells say the same command.
import { dirname, join } from 'node:path';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { shellWord } from '../model/shell-word.ts';

type Target = Pick<Profile, 'host' | 'port' | 'user' | 'sslmode' | 'sslrootcert' | 'sslcert' | 'sslkey' | 'service'>;

/** A conninfo value, quoted as libpq reads it back when it holds a space, a quote or a backslash. */
const conninfoValue = (value: string) => (/^[^\s'\\]+$/.test(value) ? value : `'${value.replace(/['\\]/g, '\\$&')}'`);

/** psql's connection to the target's maintenance database: its host, port and user, and what libpq needs besides (TLS, a service). */
function psqlConnection(target: Target): string {
  const extra = Object.entries({ service: target.service, sslmode: target.sslmode, sslrootcert: target.sslrootcert, sslcert: target.sslcert, sslkey: target.sslkey }).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
  );
  const database = extra.length ? ['dbname=postgres', ...extra.map(([key, value]) => `${key}=${conninfoValue(value)}`)].join(' ') : 'postgres';
  return `psql -X -h ${shellWord(target.host)} -p ${target.port} -U ${shellWord(target.user)} -d ${shellWord(database)}`;
}

/**
 * The command line that creates the roles the backup names on the target from its roles file, or
 * null when it has none. An encrypted backup's file is decrypted with age on the way (the key from
 * `holdfast key export`); it is role definitions only, so it never lands on disk decrypted.
 */
export function rolesFileCommand(backup: Pick<BackupMetadata, 'path' | 'globals' | 'encrypted'>, target: Target): string | null {
  if (!backup.globals.filename) return null;
  const file = shellWord(join(dirname(backup.path), backup.globals.filename));
  return backup.encrypted ? `age -d -i <key file> ${file} | ${psqlConnection(target)}` : `${psqlConnection(target)} -f ${file}`;
}
