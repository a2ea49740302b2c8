import { describe, expect, test } from 'vitest';
import { parseConnectionUri, redactUri } from './connection-uri.ts';

const SECRET = 'Sup3r-S3cret';

describe('parseConnectionUri', () => {
  test('user, percent-encoded password, host, port, database and query parameters', () => {
    expect(parseConnectionUri('postgresql://user:p%40ss@host:5433/db?sslmode=require')).toEqual({
      host: 'host',
      port: 5433,
      user: 'user',
      password: 'p@ss',
      dbname: 'db',
      params: { sslmode: 'require' },
    });
  });

  test('postgres:// also works; omitted parts are undefined and the port defaults to 5432', () => {
    expect(parseConnectionUri('postgres://db.example.com')).toEqual({ host: 'db.example.com', port: 5432, user: undefined, password: undefined, dbname: undefined, params: {} });
    expect(parseConnectionUri('postgresql://')).toMatchObject({ host: '', port: 5432 });
    expect(parseConnectionUri('postgresql://h:/')).toMatchObject({ host: 'h', port: 5432, dbname: undefined });
  });

  test('IPv6 addresses in brackets', () => {
    expect(parseConnectionUri('postgresql://[::1]:5432/db')).toMatchObject({ host: '::1', port: 5432, dbname: 'db' });
    expect(parseConnectionUri('postgresql://u@[2001:db8::7]?connect_timeout=5')).toMatchObject({ host: '2001:db8::7', user: 'u', params: { connect_timeout: '5' } });
    expect(parseConnectionUri('postgresql://[fe80::1%25eth0]/db').host).toBe('fe80::1%eth0');
  });

  test('Unix sockets: ?host=/path or a percent-encoded path as the host', () => {
    expect(parseConnectionUri('postgresql:///db?host=/var/run/postgresql')).toMatchObject({ host: '/var/run/postgresql', dbname: 'db', params: {} });
    expect(parseConnectionUri('postgresql://%2Fvar%2Frun%2Fpostgresql:5433/db')).toMatchObject({ host: '/var/run/postgresql', port: 5433 });
  });

  test('empty user or password parts are undefined', () => {
    expect(parseConnectionUri('postgresql://:pw@h')).toMatchObject({ user: undefined, password: 'pw' });
    expect(parseConnectionUri('postgresql://u:@h')).toMatchObject({ user: 'u', password: undefined });
    expect(parseConnectionUri('postgresql://@h')).toMatchObject({ user: undefined, password: undefined, host: 'h' });
  });

  test('hostile passwords: encoded specials and unicode decode; a raw ":" or "?" stays in the password, as in libpq', () => {
    expect(parseConnectionUri('postgresql://u:%3A%2F%3F%23%5B%5D%40%25%20%C3%A4%F0%9F%94%91@h/db').password).toBe(':/?#[]@% ä🔑');
    expect(parseConnectionUri('postgresql://u:a:b@h/db').password).toBe('a:b');
    expect(parseConnectionUri('postgresql://u:pa?ss#x@h/db')).toMatchObject({ password: 'pa?ss#x', host: 'h' });
    expect(parseConnectionUri('postgresql://app%20user:Grüße@h').user).toBe('app user');
    expect(parseConnectionUri('postgresql://app%20user:Grüße@h').password).toBe('Grüße');
  });

  test('query parameters are decoded and kept; user, password, host, port and dbname override the URI parts', () => {
    const uri =
      'postgresql://u:pw@h:1/db?sslmode=verify-full&sslrootcert=%2Fcerts%2Froot.crt&sslcert=c.crt&sslkey=c.key&connect_timeout=10' +
      '&application_name=holdfast%20backup&options=-c%20search_path%3Dapp&service=prod&';
    expect(parseConnectionUri(uri).params).toEqual({
      sslmode: 'verify-full',
      sslrootcert: '/certs/root.crt',
      sslcert: 'c.crt',
      sslkey: 'c.key',
      connect_timeout: '10',
      application_name: 'holdfast backup',
      options: '-c search_path=app',
      service: 'prod',
    });
    expect(parseConnectionUri('postgresql://u:pw@h:1/db?user=v&password=q%26&port=2&dbname=other&host=h2')).toEqual({
      host: 'h2',
      port: 2,
      user: 'v',
      password: 'q&',
      dbname: 'other',
      params: {},
    });
  });

  test("libpq's compatibility spellings ssl=true and requiressl become sslmode", () => {
    expect(parseConnectionUri('postgresql://h?ssl=true').params).toEqual({ sslmode: 'require' });
    expect(parseConnectionUri('postgresql://h?requiressl=1').params).toEqual({ sslmode: 'require' });
    expect(parseConnectionUri('postgresql://h?requiressl=0').params).toEqual({ sslmode: 'prefer' });
  });

  const malformed: Array<[string, RegExp]> = [
    ['mysql://u:SECRET@h/db', /must start with "postgresql:\/\/"/],
    ['POSTGRESQL://h/db', /must start with/],
    ['postgresql://u:SECRET@h1,h2/db', /lists 2 hosts/],
    ['postgresql://u:SECRET@h1:5432,h2:5433/db', /lists 2 hosts/],
    ['postgresql://u:SECRET@/db?host=a,b', /lists 2 hosts/],
    ['postgresql://u:SECRET@a%2Cb/db', /lists 2 hosts/],
    ['postgresql://u:SECRET@h:0/db', /port must be a number from 1 to 65535/],
    ['postgresql://u:SECRET@h:65536/db', /port/],
    ['postgresql://u:SECRET@h:54x/db', /port/],
    ['postgresql://u:SECRET@h/db?port=-1', /port/],
    ['postgresql://u:SECRET@[::1/db', /missing its closing "\]"/],
    ['postgresql://u:SECRET@[]/db', /IPv6 host address .* is empty/],
    ['postgresql://u:SECRET@[::1]x/db', /unexpected character after the IPv6 address/],
    ['postgresql://u:SECRET%zz@h/db', /password has an invalid percent-encoding/],
    ['postgresql://u:SECRET%00@h/db', /password contains %00/],
    ['postgresql://u:SECRET%FF@h/db', /password is not valid UTF-8/],
    ['postgresql://u:SECRET@h/d%2/x', /database name has an invalid percent-encoding/],
    ['postgresql://u:SECRET@h/db?sslmod=require', /"sslmod" is not a libpq connection parameter/],
    ['postgresql://u:SECRET@h/db?ssl=false', /"ssl" is not a libpq connection parameter/],
    ['postgresql://u:SECRET@h/db?sslmode', /missing its "="/],
    ['postgresql://u:SECRET@h/db?connect_timeout=1&&sslmode=require', /missing its "="/],
    ['postgresql://u:SECRET@h/db?options=-c%20a=b', /contains a raw "="/],
    ['postgresql://u:SECRET@h/db?password=SECRET%', /value of query parameter "password" has an invalid percent-encoding/],
    ['postgresql://u:SEC@RET@h/db', /host contains "@"/],
  ];
  test.each(malformed)('rejects %s with a clear message that never contains the password', (uri, message) => {
    const run = () => parseConnectionUri(uri.replaceAll('SECRET', SECRET));
    expect(run).toThrow(message);
    expect(run).not.toThrow(SECRET);
    expect(run).not.toThrow('RET');
  });
});

describe('redactUri', () => {
  test('drops the password and keeps everything else', () => {
    expect(redactUri(`postgresql://alice:${SECRET}@db.example.com:5433/app?sslmode=require`)).toBe('postgresql://alice@db.example.com:5433/app?sslmode=require');
    expect(redactUri(`postgres://:${SECRET}@h/db`)).toBe('postgres://h/db');
    expect(redactUri('postgresql://alice@[::1]/db')).toBe('postgresql://alice@[::1]/db');
    expect(redactUri('postgresql:///db?host=/var/run/postgresql')).toBe('postgresql:///db?host=/var/run/postgresql');
  });

  test('drops secret query parameters, however their names are encoded', () => {
    expect(redactUri(`postgresql://h/db?sslmode=require&password=${SECRET}&sslpassword=${SECRET}&application_name=x`)).toBe('postgresql://h/db?sslmode=require&application_name=x');
    expect(redactUri(`postgresql://h/db?pass%77ord=${SECRET}`)).toBe('postgresql://h/db');
  });

  test('the redacted URI still parses to the same connection, without a password', () => {
    const uri = `postgresql://app%20user:${encodeURIComponent(SECRET + ':@/?#')}@h:6000/my%20db?sslmode=verify-ca&password=${SECRET}`;
    const { password, ...rest } = parseConnectionUri(uri);
    expect(password).toBe(SECRET);
    expect(parseConnectionUri(redactUri(uri))).toEqual({ ...rest, password: undefined });
  });

  const leaky = [
    `postgresql://u:${SECRET}@@h/db`,
    `postgresql://u:${SECRET.slice(0, 4)}@${SECRET.slice(4)}@h/db`,
    `postgresql://u:12/${SECRET}@h/db`,
    `postgresql://u:${SECRET}/x@h/db`,
    `postgresql://u:${SECRET}%zz@h/db`,
    `  postgresql://u:${SECRET}@h/db  `,
    `host=h password=${SECRET}`,
  ];
  test.each(leaky)('never shows a password, even when mis-encoded: %s', (uri) => {
    const shown = redactUri(uri);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(SECRET.slice(4));
  });
});
