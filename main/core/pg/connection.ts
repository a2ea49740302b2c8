// How Holdfast reaches a server: node-postgres for its own queries, and libpq environment
// variables for the client tools, so no connection detail or password ever appears in argv.
// A password reaches a server only from where it was configured for that profile: the keychain, or
// libpq's password files when the profile allows them. An inherited PGPASSWORD never does — neither
// node-postgres (which would read it itself) nor a child is given it.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HoldfastError } from '../model/errors.ts';
import { findPgpassPassword, parsePgpass } from '../profiles/libpq-files.ts';
import type { Profile } from '../model/types.ts';

export type ConnectionTarget = Pick<Profile, 'name' | 'host' | 'port' | 'user' | 'dbname' | 'sslmode'> &
  Partial<Pick<Profile, 'sslrootcert' | 'sslcert' | 'sslkey' | 'service' | 'libpqPasswordFiles'>>;

/** A libpq conninfo value with quotes and backslashes escaped, so any database name is taken literally. */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `dbname='…'`: passed as --dbname so a name containing "=" or starting with "-" is never reinterpreted. */
export function dbnameConninfo(dbname: string): string {
  return `dbname=${conninfoValue(dbname)}`;
}

/**
 * The environment for a client tool child: the user's own libpq settings plus this target's, never a
 * PGPASSWORD (the session adds the PGPASSFILE that holds this profile's password, or none).
 */
export function libpqEnv(target: ConnectionTarget, connectTimeoutSeconds: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of ['PGPASSWORD', 'PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSERVICE', 'PGSSLMODE', 'PGOPTIONS', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY']) delete env[key];
  env.PGHOST = target.host;
  env.PGPORT = String(target.port);
  env.PGUSER = target.user;
  env.PGCONNECT_TIMEOUT = String(connectTimeoutSeconds);
  env.PGAPPNAME = 'holdfast';
  if (target.sslmode) env.PGSSLMODE = target.sslmode;
  if (target.sslrootcert) env.PGSSLROOTCERT = target.sslrootcert;
  if (target.sslcert) env.PGSSLCERT = target.sslcert;
  if (target.sslkey) env.PGSSLKEY = target.sslkey;
  // The service's other settings (options, timeouts…) apply; the explicit ones above win, as in libpq.
  if (target.service) env.PGSERVICE = target.service;
  return env;
}

/** A certificate bundle is kilobytes; more is not one. */
const MAX_SSL_FILE = 1024 * 1024;

/**
 * An SSL file, read here in Holdfast's own process: a regular file of bounded size only, opened
 * without blocking, since a FIFO (or /proc/kmsg, or /dev/zero) given as a path stalled the whole
 * process, holdfast serve answering nobody, or filled its memory.
 */
function readSslFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    const buffer = Buffer.alloc(MAX_SSL_FILE + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length <= MAX_SSL_FILE; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_SSL_FILE) throw new Error(`${path} is larger than ${MAX_SSL_FILE / 1024} KB`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function sslFor(target: ConnectionTarget): pg.ClientConfig['ssl'] {
  const files = {
    ...(target.sslrootcert ? { ca: readSslFile(target.sslrootcert) } : {}),
    ...(target.sslcert ? { cert: readSslFile(target.sslcert) } : {}),
    ...(target.sslkey ? { key: readSslFile(target.sslkey) } : {}),
  };
  switch (target.sslmode) {
    case 'require':
      // libpq: with a root certificate present, "require" verifies the CA like verify-ca.
      return target.sslrootcert ? { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined } : { ...files, rejectUnauthorized: false };
    case 'verify-ca':
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
    default:
      // disable/allow/prefer/unset: node-postgres has no "prefer"; plain TCP like libpq falls back to.
      return false;
  }
}

function libpqPasswordFilePath(env: NodeJS.ProcessEnv): string {
  return env.PGPASSFILE || (process.platform === 'win32' ? join(env.APPDATA ?? homedir(), 'postgresql', 'pgpass.conf') : join(homedir(), '.pgpass'));
}

/** libpq's password file (PGPASSFILE, else its default): the line pg_dump would take for this connection. */
export async function passwordFromLibpqFile(target: ConnectionTarget, database: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const path = libpqPasswordFilePath(env);
  try {
    const info = await stat(path);
    // libpq skips a file that is not a plain file, or that its group or others may read.
    if (!info.isFile() || (process.platform !== 'win32' && (info.mode & 0o077) !== 0)) return undefined;
    return findPgpassPassword(parsePgpass(await readFile(path, 'utf8')).entries, { host: target.host, port: target.port, database, user: target.user });
  } catch {
    return undefined;
  }
}

/**
 * What node-postgres sends when the server asks for a password. Always a function: given none (or an
 * empty string) node-postgres would read PGPASSWORD and ~/.pgpass itself, for whatever host it is.
 */
function passwordFor(target: ConnectionTarget, database: string, stored: string | undefined, env: NodeJS.ProcessEnv, storedFrom: string, sent: PasswordSent): () => Promise<string> {
  return async () => {
    if (stored !== undefined) {
      sent.from = storedFrom;
      return stored;
    }
    const password = target.libpqPasswordFiles === true ? await passwordFromLibpqFile(target, database, env) : undefined;
    if (password !== undefined) {
      sent.from = `libpq's password file ${libpqPasswordFilePath(env)}`;
      return password;
    }
    const where = `The server at ${target.host}:${target.port} asks for a password for ${target.user}`;
    if (target.libpqPasswordFiles === true) {
      throw new HoldfastError(
        'CONNECTION_FAILED',
        `${where} and none was found for ${target.user}@${target.host}:${target.port}/${database}.`,
        `Store one with \`holdfast profile edit ${target.name} --password-stdin\`, or add a line to ~/.pgpass (or PGPASSFILE).`,
      );
    }
    throw new HoldfastError(
      'CONNECTION_FAILED',
      `${where}; profile "${target.name}" has none in the OS keychain, and libpq's password files (~/.pgpass, PGPASSFILE) are off for it.`,
      `Store one with \`holdfast profile edit ${target.name} --password-stdin\`, or have a super-admin allow libpq's password files for it (\`holdfast profile edit ${target.name} --libpq-password-files\`).`,
    );
  };
}

/**
 * `env` is the engine's (its PGPASSFILE is the password file a child's libpq would read too).
 * `passwordFrom` says where `password` came from (a store's description, or the form it was typed
 * in), so a refused password's hint names the place to fix it.
 */
export async function connect(
  target: ConnectionTarget,
  connectTimeoutSeconds: number,
  database = target.dbname,
  password?: string,
  env: NodeJS.ProcessEnv = process.env,
  passwordFrom = 'the OS keychain',
): Promise<pg.Client> {
  let ssl: pg.ClientConfig['ssl'];
  try {
    ssl = sslFor(target);
  } catch (error) {
    throw new HoldfastError('BAD_INPUT', `Cannot read the SSL files of profile "${target.name}": ${(error as Error).message}`, 'Fix sslrootcert/sslcert/sslkey with `holdfast profile edit`.');
  }
  const sent: PasswordSent = { from: undefined };
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database,
    password: passwordFor(target, database, password, env, passwordFrom, sent),
    ssl,
    connectionTimeoutMillis: connectTimeoutSeconds * 1000,
    application_name: 'holdfast',
  });
  // An idle client whose server goes away emits 'error'; the next query reports it instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(target, database, error, connectTimeoutSeconds, sent.from);
  }
  return client;
}

/** Where the password the server was sent came from; undefined while none was asked for. */
interface PasswordSent {
  from: string | undefined;
}

/** A refused login's next step, at the place the password came from (PGPASSWORD is never used). */
function refusedPasswordHint(target: ConnectionTarget, from: string | undefined): string {
  if (from === undefined) return 'No password was sent (the server did not ask for one): check the user name and pg_hba.conf for this host, database and user.';
  const holder = target.name ? `profile "${target.name}"` : 'this connection';
  return `The password sent came from ${from}: correct it there (for a stored one, Edit ${holder} and type the right password, or \`holdfast profile edit ${target.name} --password-stdin\`), and check pg_hba.conf. PGPASSWORD in the environment is never used.`;
}

export function connectionError(target: ConnectionTarget, database: string, error: unknown, connectTimeoutSeconds: number, passwordFrom?: string): HoldfastError {
  if (error instanceof HoldfastError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const where = `${target.user}@${target.host}:${target.port}/${database}`;
  if (code === '3D000') {
    return new HoldfastError('CONNECTION_FAILED', `Database "${database}" does not exist on ${target.host}:${target.port}: ${raw}`, "Check the profile's dbname (holdfast profile list).");
  }
  if (code === '28P01') return new HoldfastError('CONNECTION_FAILED', `The server refused ${where}: ${raw}`, refusedPasswordHint(target, passwordFrom));
  if (code === '28000') {
    return new HoldfastError('CONNECTION_FAILED', `The server refused ${where}: ${raw}`, 'Check the user and password (~/.pgpass or PGPASSFILE) and pg_hba.conf.');
  }
  if (/password must be a string|no password supplied/i.test(raw)) {
    return new HoldfastError(
      'CONNECTION_FAILED',
      `The server at ${target.host}:${target.port} wants a password for ${target.user} and none was found for ${where}.`,
      'Store one with `holdfast profile edit <name> --password-stdin`, or add a line to ~/.pgpass (or PGPASSFILE).',
    );
  }
  if (/timeout/i.test(raw)) {
    return new HoldfastError(
      'CONNECTION_FAILED',
      `No answer from ${target.host}:${target.port} within the connect timeout (${connectTimeoutSeconds} s): ${raw}`,
      'Check the host and port, the network and firewall; HOLDFAST_CONNECT_TIMEOUT_SECONDS sets the limit.',
    );
  }
  return new HoldfastError('CONNECTION_FAILED', `Cannot connect to ${where}: ${raw}`, "Check that the server is running and reachable, and the profile's host, port and user.");
}

export { quoteIdent } from './quote-ident.ts';

/** A string literal the server reads back as `value` whatever standard_conforming_strings says (E'' when it holds a backslash), as pg's escapeLiteral writes it but without its leading space. */
export function quoteLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
