// How Holdfast reaches a server: node-postgres for its own queries, and libpq environment
// variables for the client tools, so no connection detail or password ever appears in argv.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { HoldfastError } from '../errors.ts';
import type { Profile } from '../types.ts';

export type ConnectionTarget = Pick<Profile, 'name' | 'host' | 'port' | 'user' | 'dbname' | 'sslmode'> &
  Partial<Pick<Profile, 'sslrootcert' | 'sslcert' | 'sslkey' | 'service'>>;

/** A libpq conninfo value with quotes and backslashes escaped, so any database name is taken literally. */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `dbname='…'`: passed as --dbname so a name containing "=" or starting with "-" is never reinterpreted. */
export function dbnameConninfo(dbname: string): string {
  return `dbname=${conninfoValue(dbname)}`;
}

/** The environment for a client tool child: the user's own libpq settings plus this target's. */
export function libpqEnv(target: ConnectionTarget, connectTimeoutSeconds: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSERVICE', 'PGSSLMODE', 'PGOPTIONS', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY']) delete env[key];
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

function sslFor(target: ConnectionTarget): pg.ClientConfig['ssl'] {
  const files = {
    ...(target.sslrootcert ? { ca: readFileSync(target.sslrootcert, 'utf8') } : {}),
    ...(target.sslcert ? { cert: readFileSync(target.sslcert, 'utf8') } : {}),
    ...(target.sslkey ? { key: readFileSync(target.sslkey, 'utf8') } : {}),
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

export async function connect(target: ConnectionTarget, connectTimeoutSeconds: number, database = target.dbname, password?: string): Promise<pg.Client> {
  let ssl: pg.ClientConfig['ssl'];
  try {
    ssl = sslFor(target);
  } catch (error) {
    throw new HoldfastError('BAD_INPUT', `Cannot read the SSL files of profile "${target.name}": ${(error as Error).message}`, 'Fix sslrootcert/sslcert/sslkey with `holdfast profile edit`.');
  }
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database,
    ...(password === undefined ? {} : { password }),
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
    throw connectionError(target, database, error);
  }
  return client;
}

export function connectionError(target: ConnectionTarget, database: string, error: unknown): HoldfastError {
  const raw = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const where = `${target.user}@${target.host}:${target.port}/${database}`;
  if (code === '3D000') {
    return new HoldfastError('CONNECTION_FAILED', `Database "${database}" does not exist on ${target.host}:${target.port}: ${raw}`, 'Check the profile\'s dbname (holdfast profile list).');
  }
  if (code === '28P01' || code === '28000') {
    return new HoldfastError('CONNECTION_FAILED', `The server refused ${where}: ${raw}`, 'Check the user and password (~/.pgpass or PGPASSFILE) and pg_hba.conf.');
  }
  if (/password must be a string|no password supplied/i.test(raw)) {
    return new HoldfastError('CONNECTION_FAILED', `The server at ${target.host}:${target.port} wants a password for ${target.user} and none was found for ${where}.`, 'Store one with `holdfast profile edit <name> --password-stdin`, or add a line to ~/.pgpass (or PGPASSFILE).');
  }
  if (/timeout/i.test(raw)) {
    return new HoldfastError('CONNECTION_FAILED', `No answer from ${target.host}:${target.port} within the connect timeout: ${raw}`, 'Check the host and port, the network and firewall; HOLDFAST_CONNECT_TIMEOUT_SECONDS sets the limit.');
  }
  return new HoldfastError('CONNECTION_FAILED', `Cannot connect to ${where}: ${raw}`, 'Check that the server is running and reachable, and the profile\'s host, port and user.');
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(schema: string, name: string): string {
  return `${schema}.${name}`;
}
