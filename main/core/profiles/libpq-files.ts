// libpq's own formats: the password file and the connection service file (URIs: connection-uri.ts).
// Each follows libpq's code (src/interfaces/libpq/fe-connect.c: passwordFromFile, parseServiceFile)
// rather than generic INI rules, because whatever Holdfast reads must mean what it means to pg_dump.
// No message ever quotes a password.

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
    (e) => (e.host === '*' || hosts.includes(e.host)) && (e.port === '*' || e.port === port) && (e.database === '*' || e.database === target.database) && (e.user === '*' || e.user === target.user),
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
