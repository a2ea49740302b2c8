// libpq's own formats: the password file, the connection service file and postgresql:// URIs.
// Each follows libpq's code (src/interfaces/libpq/fe-connect.c: passwordFromFile, parseServiceFile,
// conninfo_uri_parse_options) rather than generic INI/URL rules, because whatever Holdfast reads
// must mean what it means to pg_dump. No message ever quotes a password.

type Problem = { line: number; message: string };

const BOM = '\uFEFF';
// C isspace() in the C locale; JavaScript's trim() would also eat NBSP and other Unicode spaces.
const C_SPACE = ' \t\n\v\f\r';
const trimC = (s: string) => trimEndC(trimStartC(s));
function trimStartC(s: string): string {
  let i = 0;
  while (i < s.length && C_SPACE.includes(s[i]!)) i++;
  return s.slice(i);
}
function trimEndC(s: string): string {
  let i = s.length;
  while (i > 0 && C_SPACE.includes(s[i - 1]!)) i--;
  return s.slice(0, i);
}

function splitLines(text: string, problems: Problem[]): string[] {
  if (text.startsWith(BOM)) {
    // Notepad writes one; libpq would read it as part of the first line, which then never matches.
    problems.push({ line: 1, message: 'the file starts with a UTF-8 byte-order mark, which libpq reads as part of line 1; save it without one' });
    text = text.slice(1);
  }
  return text.split('\n');
}

// ---------------------------------------------------------------- password file (.pgpass)

export interface PgpassEntry {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  line: number;
}

const PGPASS_KEYS = ['hostname', 'port', 'database', 'username'] as const;

export function parsePgpass(text: string): { entries: PgpassEntry[]; problems: Problem[] } {
  const entries: PgpassEntry[] = [];
  const problems: Problem[] = [];
  splitLines(text, problems).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r+$/, '');
    // Only a '#' in the very first column starts a comment.
    if (content.startsWith('#') || trimC(content) === '') return;
    const { fields, cutAtColon } = splitPgpassLine(content);
    const [host, port, database, user, password] = fields;
    if (password === undefined || host === undefined || port === undefined || database === undefined || user === undefined) {
      const hint = trimStartC(content).startsWith('#') ? '; a comment needs "#" as the very first character' : '';
      problems.push({ line, message: `expected 5 fields hostname:port:database:username:password, found ${fields.length}${hint}` });
      return;
    }
    const empty = PGPASS_KEYS.filter((_, i) => fields[i] === '');
    if (empty.length > 0) {
      problems.push({ line, message: `empty ${empty.join(', ')} field: libpq never matches this line (use "*" to match anything)` });
      return;
    }
    if (cutAtColon) {
      problems.push({ line, message: 'the password contains an unescaped ":"; libpq reads the password only up to it (write it as \\:)' });
    }
    entries.push({ host, port, database, user, password, line });
  });
  return { entries, problems };
}

/** libpq splits on unescaped ':' and stops the password at the next one; '\x' is always a literal x. */
function splitPgpassLine(content: string): { fields: string[]; cutAtColon: boolean } {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < content.length; i++) {
    const ch = content[i]!;
    if (ch === '\\' && i + 1 < content.length) {
      current += content[++i]!;
    } else if (ch === ':') {
      fields.push(current);
      current = '';
      if (fields.length === 5) return { fields, cutAtColon: true };
    } else {
      current += ch;
    }
  }
  fields.push(current);
  return { fields, cutAtColon: false };
}

// libpq maps its compiled-in socket directory to 'localhost'; these are the usual builds' defaults.
const DEFAULT_SOCKET_DIRS = new Set(['/tmp', '/var/run/postgresql', '/run/postgresql']);

/** libpq's lookup: first entry whose fields match (with '*' wildcards; host 'localhost' also matches a Unix-socket connection per the docs) */
export function findPgpassPassword(entries: PgpassEntry[], target: { host: string; port: number; database: string; user: string }): string | undefined {
  if (target.database === '' || target.user === '') return undefined;
  const hosts = target.host === '' ? ['localhost'] : DEFAULT_SOCKET_DIRS.has(target.host) ? [target.host, 'localhost'] : [target.host];
  const port = String(target.port);
  const match = entries.find(
    (e) =>
      (e.host === '*' || hosts.includes(e.host)) &&
      (e.port === '*' || e.port === port) &&
      (e.database === '*' || e.database === target.database) &&
      (e.user === '*' || e.user === target.user),
  );
  // libpq stops at the first match even when its password is empty, and then treats it as none.
  return match?.password || undefined;
}

/** One line for a passfile, escaping ':' and '\' in every field (for writing a temporary PGPASSFILE) */
export function formatPgpassLine(entry: { host: string; port: number | string; database: string; user: string; password: string }): string {
  const port = String(entry.port);
  if (port !== '*' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new Error('a password-file port must be "*" or a number from 1 to 65535');
  }
  const fields: Array<[string, string]> = [
    ['hostname', entry.host],
    ['port', port],
    ['database', entry.database],
    ['username', entry.user],
    ['password', entry.password],
  ];
  for (const [name, value] of fields) {
    if (/[\r\n\0]/.test(value)) throw new Error(`the ${name} contains a line break or NUL character, which a password file cannot hold`);
    if (value === '' && name !== 'password') throw new Error(`the ${name} is empty; libpq never matches an empty field (use "*" to match anything)`);
  }
  const line = fields.map(([, value]) => value.replace(/[\\:]/g, '\\$&')).join(':');
  // Unescaped, a host starting with '#' would turn the whole line into a comment.
  return line.startsWith('#') ? `\\${line}` : line;
}

// ---------------------------------------------------------------- connection service file

export interface ServiceEntry {
  name: string;
  params: Record<string, string>;
  line: number;
}

// fgets() into a 1024-byte buffer: libpq rejects a line of 1023 bytes or more, line break included.
const SERVICE_LINE_LIMIT = 1022;

export function parseServiceFile(text: string): { services: ServiceEntry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const sections: Array<{ name: string; line: number; params: Map<string, string> }> = [];
  // 'none' before the first header; 'skip' inside a header already reported as a problem.
  let current: (typeof sections)[number] | 'none' | 'skip' = 'none';
  const lines = splitLines(text, problems);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const problem = (message: string) => problems.push({ line, message });
    const bytes = new TextEncoder().encode(raw).length + (index < lines.length - 1 ? 1 : 0);
    if (bytes > SERVICE_LINE_LIMIT) return problem(`line is longer than the ${SERVICE_LINE_LIMIT} bytes libpq reads`);
    const content = trimC(raw);
    if (content === '' || content.startsWith('#')) return;

    if (content.startsWith('[')) {
      const close = content.indexOf(']');
      current = 'skip';
      if (close < 0) return problem('section header is missing its closing "]"');
      const name = content.slice(1, close);
      if (name === '') return problem('section header "[]" has no service name');
      const earlier = sections.find((s) => s.name === name);
      if (earlier) return problem(`service "${name}" is already defined on line ${earlier.line}; libpq uses only the first`);
      if (close < content.length - 1) problem('text after "]" is ignored');
      current = { name, line, params: new Map() };
      sections.push(current);
      return;
    }
    if (current === 'none') return problem('setting outside any [service] section');
    if (current === 'skip') return;
    // libpq built with LDAP reads such a line as an LDAP URL that supplies the settings.
    if (content.startsWith('ldap')) return problem('LDAP service lookups are not supported');
    const eq = content.indexOf('=');
    if (eq < 0) return problem('expected key=value');
    const rawKey = content.slice(0, eq);
    const key = trimEndC(rawKey);
    // libpq itself rejects "key = value". Tolerating it must not change a line libpq accepts, so
    // the value keeps its leading spaces unless the key had trailing ones.
    const value = key === rawKey ? content.slice(eq + 1) : trimStartC(content.slice(eq + 1));
    if (key === '') return problem('missing key before "="');
    if (key === 'service') return problem('"service" cannot be set inside a service definition (libpq rejects nesting)');
    if (current.params.has(key)) return problem(`"${key}" is set again; libpq uses the first value`);
    current.params.set(key, value);
  });
  // fromEntries defines own properties, so a key like "__proto__" stays an ordinary key.
  const services = sections.map(({ name, line, params }) => ({ name, line, params: Object.fromEntries(params) }));
  return { services, problems };
}

// ---------------------------------------------------------------- connection URIs

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
  'service', 'user', 'password', 'passfile', 'channel_binding', 'connect_timeout', 'dbname', 'host', 'hostaddr', 'port',
  'client_encoding', 'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle',
  'keepalives_interval', 'keepalives_count', 'tcp_user_timeout', 'sslmode', 'sslnegotiation', 'sslcompression', 'sslcert',
  'sslkey', 'sslcertmode', 'sslpassword', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni', 'sslkeylogfile', 'requirepeer',
  'require_auth', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'min_protocol_version', 'max_protocol_version',
  'gssencmode', 'krbsrvname', 'gsslib', 'gssdelegation', 'replication', 'target_session_attrs', 'load_balance_hosts',
  'oauth_issuer', 'oauth_client_id', 'oauth_client_secret', 'oauth_scope', 'scram_client_key', 'scram_server_key',
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
