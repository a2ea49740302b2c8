import { describe, expect, test } from 'vitest';
import { splitSqlStatements, SqlStatementSplitter, type SqlSplitOptions, type SqlStatement } from './sql-statements.ts';

const sqlOf = (text: string, options?: SqlSplitOptions) => splitSqlStatements(text, options).map((s) => s.sql);

describe('statements', () => {
  test.each([
    ["SELECT 'a;b'; x", ["SELECT 'a;b'", 'x']],
    ["SELECT E'\\';' ; x", ["SELECT E'\\';'", 'x']],
    ['SELECT "a;b"; x', ['SELECT "a;b"', 'x']],
    ['SELECT U&"a;b"; x', ['SELECT U&"a;b"', 'x']],
    ["SELECT U&'a\\';' ; x", ["SELECT U&'a\\'", "' ; x"]],
    ['SELECT $t$ ; $u$ ; $t$; x', ['SELECT $t$ ; $u$ ; $t$', 'x']],
    ['SELECT /* ; /* ; */ ; */ 1; x', ['SELECT /* ; /* ; */ ; */ 1', 'x']],
    ['SELECT 1 -- ;\n; x', ['SELECT 1 -- ;', 'x']],
    ["SELECT B'1;0'; x", ["SELECT B'1;0'", 'x']],
  ])('a ; inside a literal or comment does not split: %s', (text, expected) => {
    expect(sqlOf(text)).toEqual(expected);
  });

  test('leading comments are not part of a statement; its line is where its first token is', () => {
    const [first, second] = splitSqlStatements('-- head\n/* more\n */\n  CREATE ROLE a;\n\nCREATE ROLE b');
    expect(first).toMatchObject({ sql: 'CREATE ROLE a', line: 4, metaCommand: false });
    expect(second).toMatchObject({ sql: 'CREATE ROLE b', line: 6 });
  });

  test('a backslash where a statement would start is a meta-command to the end of its line; inside one it is text', () => {
    const statements = splitSqlStatements("\\connect 'a;b'\nSELECT 1 \\gexec;\n  \\! id; echo\nSELECT 2;");
    expect(statements.map((s) => [s.metaCommand, s.sql])).toEqual([
      [true, "\\connect 'a;b'"],
      [false, 'SELECT 1 \\gexec'],
      [true, '\\! id; echo'],
      [false, 'SELECT 2'],
    ]);
  });

  test('SET standard_conforming_strings changes how later strings are read, and back', () => {
    const text = "SET standard_conforming_strings = off;\nSELECT 'a\\'; b';\nSET SESSION standard_conforming_strings TO 'on';\nSELECT 'c\\'; d';";
    expect(sqlOf(text)).toEqual(['SET standard_conforming_strings = off', "SELECT 'a\\'; b'", "SET SESSION standard_conforming_strings TO 'on'", "SELECT 'c\\'", "d';"]);
    expect(sqlOf("SET standard_conforming_strings = of; SELECT '\\'; x';")).toEqual(['SET standard_conforming_strings = of', "SELECT '\\'; x'"]);
    // A value the server refuses changes nothing; so does SET LOCAL's, which a drill never applies.
    expect(sqlOf("SET standard_conforming_strings = o; SELECT '\\'; x';")).toEqual(['SET standard_conforming_strings = o', "SELECT '\\'", "x';"]);
  });

  test('as the server splits, every ; outside quotes ends a statement; psql holds it in parentheses and BEGIN ATOMIC bodies', () => {
    const text = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2); SELECT 3';
    expect(sqlOf(text, { psql: true })).toEqual([
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END',
      'CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2)',
      'SELECT 3',
    ]);
    expect(sqlOf(text)).toHaveLength(6);
    // BEGIN outside CREATE FUNCTION is a transaction, which a ; ends.
    expect(sqlOf('BEGIN; SELECT 1; END;', { psql: true })).toEqual(['BEGIN', 'SELECT 1', 'END']);
  });

  test('the same statements whatever the pieces the text arrives in', () => {
    const text = "\\restrict k\nSET standard_conforming_strings = off;\nCOMMENT ON ROLE a IS 'x\\'; y\n z';\nCREATE FUNCTION f() AS $b$ ;\n $b$ /* ; /*\n ; */ */;\nSELECT \"q;\n\";\n";
    const whole = splitSqlStatements(text);
    for (const size of [1, 2, 5, 13]) {
      const pieces: SqlStatement[] = [];
      const splitter = new SqlStatementSplitter((s) => pieces.push(s));
      for (let at = 0; at < text.length; at += size) splitter.push(text.slice(at, at + size));
      splitter.end();
      expect(pieces).toEqual(whole);
    }
    expect(whole.map((s) => s.line)).toEqual([1, 2, 3, 5, 8]);
  });

  test('an unterminated literal leaves its statement holding the unterminated token', () => {
    const [, last] = splitSqlStatements("SELECT 1;\nSELECT 'abc; DROP TABLE t;");
    expect(last!.tokens.at(-1)).toMatchObject({ kind: 'string', unterminated: true, line: 2 });
    expect(last!.sql).toBe("SELECT 'abc; DROP TABLE t;");
  });
});
