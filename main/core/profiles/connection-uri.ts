// postgresql:// URIs as libpq reads them (src/interfaces/libpq/fe-connect.c: conninfo_uri_parse_options),
// rather than generic URL rules, because whatever Holdfast reads must mean what it means to pg_dump.
// No message ever quotes a password.
export interface ParsedConnectionUri {
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  dbname: string | undefined;
  params: Record<string, string>;
}

const URI_PREFIXES = ['postgresql://', 'postgres://'];

// libpq fails on any other query parameter, so a typo such as "sslmod=require" cannot silently
// drop TLS. PostgreSQL 18's keywords are included; the removed "tty" and "authtype" are not.
const KNOWN_PARAMS = new Set([
  'service',
  'user',
  'password',
  'passfile',
  'channel_binding',
  'connect_timeout',
  'dbname',
  'host',
  'hostaddr',
  'port',
  'client_encoding',
  'options',
  'application_name',
  'fallback_application_name',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'sslmode',
  'sslnegotiation',
  'sslcompression',
  'sslcert',
  'sslkey',
  'sslcertmode',
  'sslpassword',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'sslkeylogfile',
  'requirepeer',
  'require_auth',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'min_protocol_version',
  'max_protocol_version',
  'gssencmode',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'replication',
  'target_session_attrs',
  'load_balance_hosts',
  'oauth_issuer',
  'oauth_client_id',
  'oauth_client_secret',
  'oauth_scope',
  'scram_client_key',
  'scram_server_key',
]);
const SECRET_PARAMS = new Set(['password', 'sslpassword', 'oauth_client_secret', 'scram_client_key', 'scram_server_key']);

function uriPrefix(uri: string): string | undefined {
  return URI_PREFIXES.find((prefix) => uri.startsWith(prefix));
}

/** libpq's percent-decoding: any byte but %00; the result must be UTF-8 to become a JS string. */
function percentDecode(raw: string, what: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '%') {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`the ${what} has an invalid percent-encoding ("%" must be followed by two hex digits)`);
    if (hex === '00') throw new Error(`the ${what} contains %00, which libpq forbids`);
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    throw new Error(`the ${what} is not valid UTF-8 after percent-decoding`);
  }
}

const orUndefined = (value: string | undefined) => (value === '' ? undefined : value);

/** postgresql:// or postgres:// URIs: one host (or Unix socket via ?host= or a percent-encoded path); throws an Error naming what is wrong. */
export function parseConnectionUri(uri: string): ParsedConnectionUri {
  const text = uri.trim();
  const prefix = uriPrefix(text);
  if (!prefix) throw new Error('a connection URI must start with "postgresql://" or "postgres://"');
  let rest = text.slice(prefix.length);

  let user: string | undefined;
  let password: string | undefined;
  // Like libpq, look for '@' only up to the first '/': a password may hold a raw '?' but not a '/'.
  const credentialsEnd = rest.search(/[@/]/);
  if (credentialsEnd >= 0 && rest[credentialsEnd] === '@') {
    const userinfo = rest.slice(0, credentialsEnd);
    const colon = userinfo.indexOf(':');
    user = orUndefined(percentDecode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name'));
    if (colon >= 0) password = orUndefined(percentDecode(userinfo.slice(colon + 1), 'password'));
    rest = rest.slice(credentialsEnd + 1);
  }

  const hosts: string[] = [];
  const ports: string[] = [];
  let i = 0;
  let terminator = '';
  for (;;) {
    let host: string;
    if (rest[i] === '[') {
      const close = rest.indexOf(']', i);
      if (close < 0) throw new Error('an IPv6 host address is missing its closing "]"');
      host = rest.slice(i + 1, close);
      if (host === '') throw new Error('the IPv6 host address between "[" and "]" is empty');
      i = close + 1;
      if (i < rest.length && !':/?,'.includes(rest[i]!)) throw new Error('unexpected character after the IPv6 address "]" (expected ":", "/" or "?")');
    } else {
      const start = i;
      while (i < rest.length && !':/?,'.includes(rest[i]!)) i++;
      host = rest.slice(start, i);
    }
    let port = '';
    if (rest[i] === ':') {
      const start = ++i;
      while (i < rest.length && !'/?,'.includes(rest[i]!)) i++;
      port = rest.slice(start, i);
    }
    hosts.push(percentDecode(host, 'host'));
    ports.push(percentDecode(port, 'port'));
    terminator = rest[i] ?? '';
    if (terminator !== ',') break;
    i++;
  }

  let dbname: string | undefined;
  let query = '';
  if (terminator === '/') {
    const q = rest.indexOf('?', i + 1);
    dbname = orUndefined(percentDecode(q < 0 ? rest.slice(i + 1) : rest.slice(i + 1, q), 'database name'));
    if (q >= 0) query = rest.slice(q + 1);
  } else if (terminator === '?') {
    query = rest.slice(i + 1);
  }

  const params = new Map<string, string>();
  const pairs = query === '' ? [] : query.split('&');
  if (pairs.at(-1) === '') pairs.pop(); // libpq accepts one trailing '&'
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new Error('a query parameter is missing its "=" (write name=value)');
    let key = percentDecode(pair.slice(0, eq), 'query parameter name');
    if (pair.includes('=', eq + 1)) throw new Error(`the value of query parameter "${key}" contains a raw "=" (percent-encode it as %3D)`);
    let value = percentDecode(pair.slice(eq + 1), `value of query parameter "${key}"`);
    // libpq's compatibility spellings.
    if (key === 'ssl' && value === 'true') [key, value] = ['sslmode', 'require'];
    else if (key === 'requiressl') [key, value] = ['sslmode', value.startsWith('1') ? 'require' : 'prefer'];
    if (!KNOWN_PARAMS.has(key)) throw new Error(`"${key}" is not a libpq connection parameter`);
    params.set(key, value); // a repeated parameter overrides, as in libpq
  }

  // Query parameters come last in libpq, so they override the URI's own parts.
  const take = (key: string) => {
    const value = params.get(key);
    params.delete(key);
    return value;
  };
  const queryHost = take('host');
  const queryPort = take('port');
  const queryUser = take('user');
  const queryPassword = take('password');
  const queryDbname = take('dbname');
  if (queryUser !== undefined) user = orUndefined(queryUser);
  if (queryPassword !== undefined) password = orUndefined(queryPassword);
  if (queryDbname !== undefined) dbname = orUndefined(queryDbname);

  const hostList = queryHost !== undefined ? queryHost.split(',') : hosts.flatMap((h) => h.split(','));
  const portList = queryPort !== undefined ? queryPort.split(',') : ports.flatMap((p) => p.split(','));
  const count = Math.max(hostList.length, portList.length);
  if (count > 1) throw new Error(`the URI lists ${count} hosts; a profile connects to exactly one`);
  const host = hostList[0] ?? '';
  if (host.includes('@')) throw new Error('the host contains "@"; percent-encode any "@" in the user name or password as %40');
  const portText = portList[0] ?? '';
  if (portText !== '' && !(/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535)) {
    throw new Error('the port must be a number from 1 to 65535');
  }

  return { host, port: portText === '' ? 5432 : Number(portText), user, password, dbname, params: Object.fromEntries(params) };
}

/** The same URI with any password removed — safe to show or log. */
export function redactUri(uri: string): string {
  const text = uri.trim();
  const prefix = uriPrefix(text);
  if (!prefix) return '[redacted: not a postgresql:// URI]';
  try {
    parseConnectionUri(text);
  } catch {
    // Whatever libpq would misread here, a password fragment may sit anywhere in it.
    return `${prefix}[redacted: malformed URI]`;
  }
  let rest = text.slice(prefix.length);
  let credentials = '';
  const credentialsEnd = rest.search(/[@/]/);
  if (credentialsEnd >= 0 && rest[credentialsEnd] === '@') {
    const userinfo = rest.slice(0, credentialsEnd);
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    credentials = user === '' ? '' : `${user}@`;
    rest = rest.slice(credentialsEnd + 1);
  }
  const q = rest.indexOf('?');
  let location = q < 0 ? rest : rest.slice(0, q);
  // A raw '/' or '@' in a password hides the credentials from libpq's split; cut up to the last '@'.
  const strayAt = location.lastIndexOf('@');
  if (strayAt >= 0) {
    credentials = '[redacted]@';
    location = location.slice(strayAt + 1);
  }
  let query = '';
  if (q >= 0) {
    const kept = rest
      .slice(q + 1)
      .split('&')
      .filter((pair) => {
        try {
          return !SECRET_PARAMS.has(percentDecode(pair.split('=')[0] ?? '', 'query parameter name'));
        } catch {
          return false; // undecodable: drop rather than risk showing a secret
        }
      });
    query = kept.some((pair) => pair !== '') ? `?${kept.join('&')}` : '';
  }
  return `${prefix}${credentials}${location}${query}`;
}
