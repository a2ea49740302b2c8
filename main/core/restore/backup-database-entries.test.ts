import { describe, expect, test } from 'vitest';
import { parseDatabaseEntries } from './backup-database-entries.ts';

// database-properties.test.ts reads a full pg_restore script; these are the inputs its lexer must not misread.
describe('parseDatabaseEntries, on what the lexer decides', () => {
  test('a comment in a dollar quote, a nested block comment and a line comment between tokens', () => {
    const parsed = parseDatabaseEntries(
      [
        "CREATE DATABASE /* a /* nested */ comment; */ hr WITH ENCODING = 'UTF8' -- trailing; words\n LOCALE = 'C';",
        'COMMENT ON DATABASE hr IS $c$ it\'s; $d$ "quoted" $c$;',
        'ALTER DATABASE hr CONNECTION LIMIT = -1;',
        'ALTER DATABASE hr CONNECTION LIMIT = 12;',
      ].join('\n'),
    );
    expect(parsed).toMatchObject({ database: 'hr', comment: ' it\'s; $d$ "quoted" ', connectionLimit: 12, locale: { encoding: 'UTF8', collate: 'C', ctype: 'C' } });
  });

  test('strings read as the script says standard_conforming_strings is', () => {
    const script = "SET standard_conforming_strings = off;\nCREATE DATABASE d WITH ENCODING = 'UTF8';\nCOMMENT ON DATABASE d IS 'a\\'; ALTER DATABASE d OWNER TO mallory; b';\n";
    expect(parseDatabaseEntries(script)).toMatchObject({ comment: "a'; ALTER DATABASE d OWNER TO mallory; b", owner: null });
  });

  test('psql meta-commands between statements are skipped; a statement on another database is not ours', () => {
    const parsed = parseDatabaseEntries(
      '\\connect hr\nCREATE DATABASE hr WITH ENCODING = \'UTF8\';\n\\connect -reuse-previous=on "dbname=\'hr\'"\nALTER DATABASE "HR" OWNER TO x;\nALTER DATABASE hr OWNER TO y;\n',
    );
    expect(parsed?.owner).toBe('y');
  });
});
