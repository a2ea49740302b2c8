import { describe, expect, test } from 'vitest';
import { findPgpassPassword, formatPgpassLine, parsePgpass, parseServiceFile, type PgpassEntry } from './libpq-files.ts';

const SECRET = 'Sup3r-S3cret';

describe('parsePgpass', () => {
  test('reads entries with their line numbers, skipping comments and blank lines', () => {
    const text = ['# hostname:port:database:username:password', '', 'db.example.com:5432:app:alice:pw1', '   ', '*:*:*:backup:pw2', ''].join('\n');
    expect(parsePgpass(text)).toEqual({
      entries: [
        { host: 'db.example.com', port: '5432', database: 'app', user: 'alice', password: 'pw1', line: 3 },
        { host: '*', port: '*', database: '*', user: 'backup', password: 'pw2', line: 5 },
      ],
      problems: [],
    });
  });

  test('accepts Windows line endings', () => {
    const { entries, problems } = parsePgpass('# c\r\nh:5432:d:u:pw\r\n\r\nh2:5433:d:u:pw2\r\n');
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.host, e.password, e.line])).toEqual([
      ['h', 'pw', 2],
      ['h2', 'pw2', 4],
    ]);
  });

  test('un-escapes \\: and \\\\ in every field, and any other \\x as x', () => {
    const [entry] = parsePgpass('fe80\\:\\:1:5432:we\\\\ird:us\\:er:pa\\:ss\\\\word\\#').entries;
    expect(entry).toMatchObject({ host: 'fe80::1', database: 'we\\ird', user: 'us:er', password: 'pa:ss\\word#' });
  });

  test('keeps hostile passwords intact: #, @, spaces, unicode, a trailing backslash', () => {
    const { entries } = parsePgpass('h:1:d:u:#not a comment @ Grüße 🔑 \\\nh:1:d:u:  spaced  ');
    expect(entries.map((e) => e.password)).toEqual(['#not a comment @ Grüße 🔑 \\', '  spaced  ']);
  });

  test('a line with fewer than 5 fields is a problem that names the line but not its contents', () => {
    const { entries, problems } = parsePgpass(`ok:1:d:u:pw\ndb.example.com:5432:app:${SECRET}\n`);
    expect(entries).toHaveLength(1);
    expect(problems).toEqual([{ line: 2, message: expect.stringMatching(/expected 5 fields.*found 4/) }]);
    expect(problems[0]!.message).not.toContain(SECRET);
    expect(problems[0]!.message).not.toContain('db.example.com');
  });

  test('an unescaped ":" ends the password, as in libpq, and is reported without the password', () => {
    const { entries, problems } = parsePgpass(`h:5432:d:u:${SECRET}:tail`);
    expect(entries[0]!.password).toBe(SECRET);
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining('unescaped ":"') }]);
    expect(problems[0]!.message).not.toContain(SECRET);
    expect(problems[0]!.message).not.toContain('tail');
  });

  test('"#" starts a comment only in the first column', () => {
    const { entries, problems } = parsePgpass('  # indented note\n');
    expect(entries).toEqual([]);
    expect(problems[0]!.message).toMatch(/very first character/);
  });

  test('an empty host, port, database or user never matches in libpq, so the line is reported', () => {
    const { entries, problems } = parsePgpass(`:5432:d:u:${SECRET}\nh::d::pw`);
    expect(entries).toEqual([]);
    expect(problems.map((p) => p.line)).toEqual([1, 2]);
    expect(problems[1]!.message).toContain('port, username');
    expect(problems.map((p) => p.message).join()).not.toContain(SECRET);
  });

  test('a byte-order mark is reported, and the first entry still read', () => {
    const { entries, problems } = parsePgpass('\uFEFFh:5432:d:u:pw');
    expect(entries[0]!.host).toBe('h');
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining('byte-order mark') }]);
  });
});

describe('findPgpassPassword', () => {
  const entries = (text: string): PgpassEntry[] => parsePgpass(text).entries;
  const target = { host: 'db.example.com', port: 5432, database: 'app', user: 'alice' };

  test('the first matching line wins, so specific entries go first', () => {
    const list = entries('db.example.com:5432:app:alice:specific\n*:*:*:alice:general\n*:*:*:*:anyone');
    expect(findPgpassPassword(list, target)).toBe('specific');
    expect(findPgpassPassword(list, { ...target, database: 'other' })).toBe('general');
    expect(findPgpassPassword(list, { ...target, user: 'bob' })).toBe('anyone');
  });

  test('every field must match; ports compare as text', () => {
    const list = entries('db.example.com:5432:app:alice:pw');
    expect(findPgpassPassword(list, { ...target, port: 5433 })).toBeUndefined();
    expect(findPgpassPassword(list, { ...target, host: 'DB.example.com' })).toBeUndefined();
    expect(findPgpassPassword(entries('db.example.com:05432:app:alice:pw'), target)).toBeUndefined();
  });

  test('"localhost" also matches a Unix-socket connection: empty host or the default socket directory', () => {
    const list = entries('localhost:5432:app:alice:local');
    expect(findPgpassPassword(list, { ...target, host: 'localhost' })).toBe('local');
    expect(findPgpassPassword(list, { ...target, host: '' })).toBe('local');
    expect(findPgpassPassword(list, { ...target, host: '/var/run/postgresql' })).toBe('local');
    expect(findPgpassPassword(list, { ...target, host: '/tmp' })).toBe('local');
    expect(findPgpassPassword(list, { ...target, host: '/home/me/sockets' })).toBeUndefined();
    expect(findPgpassPassword(entries('/home/me/sockets:5432:app:alice:own'), { ...target, host: '/home/me/sockets' })).toBe('own');
  });

  test('escaped fields match their un-escaped values', () => {
    const list = entries('fe80\\:\\:1:5432:app:alice:six');
    expect(findPgpassPassword(list, { ...target, host: 'fe80::1' })).toBe('six');
  });

  test('libpq does not look up a password without a database and user', () => {
    const list = entries('*:*:*:*:pw');
    expect(findPgpassPassword(list, { ...target, database: '' })).toBeUndefined();
    expect(findPgpassPassword(list, { ...target, user: '' })).toBeUndefined();
  });

  test('an empty password on the first match means no password; later lines are not tried', () => {
    expect(findPgpassPassword(entries('*:*:app:alice:\n*:*:*:*:fallback'), target)).toBeUndefined();
    expect(findPgpassPassword([], target)).toBeUndefined();
  });
});

describe('formatPgpassLine', () => {
  test('escapes ":" and "\\" in every field', () => {
    expect(formatPgpassLine({ host: '::1', port: 5432, database: 'a\\b', user: 'u:x', password: 'p:w\\' })).toBe('\\:\\:1:5432:a\\\\b:u\\:x:p\\:w\\\\');
  });

  test('a host starting with "#" is escaped so libpq does not skip the line as a comment', () => {
    const line = formatPgpassLine({ host: '#h', port: '*', database: '*', user: 'u', password: 'pw' });
    expect(line).toBe('\\#h:*:*:u:pw');
    expect(parsePgpass(line).entries[0]!.host).toBe('#h');
  });

  const hostile = ['plain', 'with:colon', 'back\\slash', 'ends with backslash\\', '\\:', '#hash at start', 'p@ss@word', 'Grüße 🔑 пароль', '  spaces  ', '*', ':::', ''];
  test.each(hostile)('round-trips through parsePgpass: %j', (value) => {
    const entry = { host: value || 'h', port: 6543, database: value || 'db', user: value || 'u', password: value };
    const { entries, problems } = parsePgpass(`# written by Holdfast\n${formatPgpassLine(entry)}\n`);
    expect(problems).toEqual([]);
    expect(entries).toEqual([{ ...entry, port: '6543', line: 2 }]);
  });

  test('the written line is found by the libpq lookup', () => {
    const line = formatPgpassLine({ host: '/var/run/postgresql', port: 5432, database: '*', user: 'app user', password: `${SECRET}:#` });
    expect(findPgpassPassword(parsePgpass(line).entries, { host: '/var/run/postgresql', port: 5432, database: 'x', user: 'app user' })).toBe(`${SECRET}:#`);
  });

  test('refuses what a password file cannot hold, without quoting the password', () => {
    const base = { host: 'h', port: 5432, database: 'd', user: 'u', password: 'pw' };
    for (const password of [`${SECRET}\nx`, `${SECRET}\r`, `${SECRET}\0`]) {
      expect(() => formatPgpassLine({ ...base, password })).toThrow(/password contains a line break or NUL/);
      try {
        formatPgpassLine({ ...base, password });
      } catch (error) {
        expect((error as Error).message).not.toContain(SECRET);
      }
    }
    expect(() => formatPgpassLine({ ...base, host: '' })).toThrow(/hostname is empty/);
    expect(() => formatPgpassLine({ ...base, port: 0 })).toThrow(/port/);
    expect(() => formatPgpassLine({ ...base, port: 'abc' })).toThrow(/port/);
    expect(() => formatPgpassLine({ ...base, port: 70000 })).toThrow(/port/);
  });
});

describe('parseServiceFile', () => {
  test('reads the documented example: [name] sections, key=value, # comments', () => {
    const text = '# comment\n[mydb]\nhost=somehost\nport=5433\nuser=admin\n\n[other db]\n  dbname=reports\n';
    expect(parseServiceFile(text)).toEqual({
      services: [
        { name: 'mydb', line: 2, params: { host: 'somehost', port: '5433', user: 'admin' } },
        { name: 'other db', line: 7, params: { dbname: 'reports' } },
      ],
      problems: [],
    });
  });

  test('tolerates spaces around "=" without changing any line libpq itself accepts', () => {
    const { services, problems } = parseServiceFile('[s]\nhost = db.example.com\nport\t=5433\nuser= leading\n');
    expect(problems).toEqual([]);
    // "user= leading": libpq keeps the space, so it is kept here too.
    expect(services[0]!.params).toEqual({ host: 'db.example.com', port: '5433', user: ' leading' });
  });

  test('values are literal: "#", "=", "@" and unicode inside a value are kept', () => {
    const { services } = parseServiceFile('[s]\npassword=p#ss=w@rd Grüße\noptions=-c search_path=app\n');
    expect(services[0]!.params).toEqual({ password: 'p#ss=w@rd Grüße', options: '-c search_path=app' });
  });

  test('Windows line endings and indentation are ignored', () => {
    const { services, problems } = parseServiceFile('\t[win]\r\n\thost=h\r\n  # note\r\n');
    expect(problems).toEqual([]);
    expect(services).toEqual([{ name: 'win', line: 1, params: { host: 'h' } }]);
  });

  test('settings before any section are a problem', () => {
    const { services, problems } = parseServiceFile('host=orphan\n[s]\nhost=h\n');
    expect(services[0]!.params).toEqual({ host: 'h' });
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining('outside any [service] section') }]);
  });

  test('unknown keys are kept', () => {
    expect(parseServiceFile('[s]\nfuture_option=1\n').services[0]!.params).toEqual({ future_option: '1' });
  });

  test('libpq uses the first definition of a service and the first value of a key', () => {
    const { services, problems } = parseServiceFile('[s]\nhost=first\nhost=second\n[s]\nhost=third\n[t]\nport=1\n');
    expect(services).toEqual([
      { name: 's', line: 1, params: { host: 'first' } },
      { name: 't', line: 6, params: { port: '1' } },
    ]);
    expect(problems.map((p) => p.line)).toEqual([3, 4]);
    expect(problems[1]!.message).toContain('already defined on line 1');
  });

  test('malformed lines are problems that never quote the line', () => {
    const text = `[s]\n${SECRET}\n=value\nservice=other\nldap://ldap.example.com/dc=example?x\n[unclosed\nhost=ignored\n[]\n[t] trailing\nhost=h\n`;
    const { services, problems } = parseServiceFile(text);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'expected key=value'],
      [3, 'missing key before "="'],
      [4, expect.stringContaining('nesting')],
      [5, expect.stringContaining('LDAP')],
      [6, expect.stringContaining('closing "]"')],
      [8, expect.stringContaining('no service name')],
      [9, 'text after "]" is ignored'],
    ]);
    expect(problems.map((p) => p.message).join()).not.toContain(SECRET);
    expect(services).toEqual([
      { name: 's', line: 1, params: {} },
      { name: 't', line: 9, params: { host: 'h' } },
    ]);
  });

  test('a line longer than libpq reads is a problem', () => {
    const { services, problems } = parseServiceFile(`[s]\noptions=${'x'.repeat(1100)}\nhost=h\n`);
    expect(problems).toEqual([{ line: 2, message: expect.stringContaining('longer than') }]);
    expect(services[0]!.params).toEqual({ host: 'h' });
  });

  test('a "__proto__" key is an ordinary key, not a prototype', () => {
    const { params } = parseServiceFile('[s]\n__proto__=x\nconstructor=y\n').services[0]!;
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
