import { describe, expect, test } from 'vitest';
import { significant, SqlLexer, tokenizeSql, type SqlToken } from './sql-lexer.ts';
import { splitSqlStatements, SqlStatementSplitter, type SqlSplitOptions, type SqlStatement } from './sql-statements.ts';

const sqlOf = (text: string, options?: SqlSplitOptions) => splitSqlStatements(text, options).map((s) => s.sql);
const kinds = (tokens: SqlToken[]) => tokens.filter((t) => t.kind !== 'space').map((t) => [t.kind, t.value]);

describe('tokens', () => {
  test('words fold to lower case in ASCII only; quoted names keep their case and undouble their quotes', () => {
    expect(kinds(tokenizeSql('SELECT Ab$c, "We""ird", U&"d\\0061t", É'))).toEqual([
      ['word', 'select'],
      ['word', 'ab$c'],
      ['symbol', ','],
      ['quoted-name', 'We"ird'],
      ['symbol', ','],
      ['quoted-name', 'dat'],
      ['symbol', ','],
      ['word', 'É'],
    ]);
  });

  test("strings: '' doubles, E'' takes backslash escapes, B'', X'' and U&'' do not", () => {
    expect(kinds(tokenizeSql(String.raw`'it''s' E'a\'b\\c\n\x41\101\u00e9' B'10' X'1F' U&'\0041\' n'x'`))).toEqual([
      ['string', "it's"],
      ['string', "a'b\\c\nAAé"],
      ['string', '10'],
      ['string', '1F'],
      // A lone backslash at the end is no escape: the server refuses the literal, and the value stays undecoded.
      ['string', '\\0041\\'],
      ['string', 'x'],
    ]);
    expect(tokenizeSql(String.raw`U&'\0041\'`)[0]).toMatchObject({ badEscape: true });
  });

  describe("U&'…' and U&\"…\": the server's Unicode escapes, with UESCAPE", () => {
    const first = (sql: string) => significant(tokenizeSql(sql))[0]!;
    test.each([
      [String.raw`U&'d\0061t\+000061'`, 'string', 'data'],
      [String.raw`u&'d\0061t\+000061'`, 'string', 'data'],
      [String.raw`U&"d\0061t\+000061"`, 'quoted-name', 'data'],
      [String.raw`U&'it''s \0041'`, 'string', "it's A"],
      [String.raw`U&'a\\b'`, 'string', 'a\\b'],
      [String.raw`U&'\D83D\DE00'`, 'string', '😀'],
      [String.raw`U&'\+01F600'`, 'string', '😀'],
      ["U&'d!0061t!+000061' UESCAPE '!'", 'string', 'data'],
      ["U&'a!!b\\0041' UESCAPE '!'", 'string', 'a!b\\0041'],
      ['U&"pg!005Fcatalog" UESCAPE \'!\'', 'quoted-name', 'pg_catalog'],
      ["U&'x#0041' /* why */\n  uescape\n '#'", 'string', 'xA'],
      // The parser wants an SCONST after UESCAPE, and E'…' is one: its escapes are read first (PostgreSQL 15 checked).
      ['U&"pg!005Fcatalog" UESCAPE E\'!\'', 'quoted-name', 'pg_catalog'],
      [String.raw`U&'!0041' UESCAPE e'\041'`, 'string', 'A'],
    ])('%s reads as %s %j', (sql, kind, value) => {
      const token = first(sql);
      expect(token).toMatchObject({ kind, value, raw: sql });
      expect(token.badEscape).toBeUndefined();
    });

    test.each([
      String.raw`U&'\00'`,
      String.raw`U&'\zzzz'`,
      String.raw`U&'\0000'`,
      String.raw`U&'\+110000'`,
      String.raw`U&'\D83D'`,
      String.raw`U&'\DE00'`,
      "U&'a' UESCAPE 'a'",
      "U&'a' UESCAPE '+'",
      "U&'a' UESCAPE '!!'",
    ])('%s is refused by the server: marked, its text undecoded', (sql) => {
      expect(first(sql).badEscape).toBe(true);
    });

    test('without UESCAPE the tokens after the literal are read as they are, and a statement still ends at its ;', () => {
      expect(kinds(tokenizeSql('SELECT U&\'\\0041\' AS a, U&"b";'))).toEqual([
        ['word', 'select'],
        ['string', 'A'],
        ['word', 'as'],
        ['word', 'a'],
        ['symbol', ','],
        ['quoted-name', 'b'],
        ['symbol', ';'],
      ]);
      expect(sqlOf("SELECT U&'a!0041' UESCAPE '!'; SELECT U&'\\0042'")).toEqual(["SELECT U&'a!0041' UESCAPE '!'", "SELECT U&'\\0042'"]);
    });

    test('UESCAPE on the next line, pushed in another piece, still belongs to the literal', () => {
      const tokens: SqlToken[] = [];
      const lexer = new SqlLexer((token) => tokens.push(token));
      lexer.push("SELECT U&'d!0061ta'\n");
      lexer.push("UESCAPE '!';\n");
      lexer.end();
      expect(kinds(tokens)).toEqual([
        ['word', 'select'],
        ['string', 'data'],
        ['symbol', ';'],
      ]);
      expect(tokens.find((t) => t.kind === 'symbol')!.line).toBe(2);
    });
  });

  // scan.l's quotecontinue: a string's closing quote, whitespace holding a line end (-- comments
  // allowed, no /* */), and another quote continue the same literal in the same mode. A dump's
  // statements are untrusted: a check that read 'a' where the server reads 'ab' could be walked past.
  describe('adjacent strings with a line end between them are one literal, as the server reads them', () => {
    const strings = (sql: string) => significant(tokenizeSql(sql)).filter((t) => t.kind === 'string');
    test.each([
      ["'a'\n'b'", 'ab'],
      ["'a'  \t\r\n  'b'", 'ab'],
      ["'a' -- why\n  -- more\n'b'\n'c'", 'abc'],
      // \v is a space from PostgreSQL 16 on (15 refuses the statement), never one before the line end.
      ["'a'\n\v 'b'", 'ab'],
      ["'it''s'\n'''s'", "it's's"],
      [String.raw`E'a\n'` + '\n' + String.raw`'\t\''`, "a\n\t'"],
      ["N'a'\n'b'", 'ab'],
      ["B'10'\n'01'", '1001'],
      ["X'1F'\n'2a'", '1F2a'],
      [String.raw`U&'\0041'` + '\n' + String.raw`'\0042'`, 'AB'],
      [String.raw`U&'!0041'` + '\n' + String.raw`'!0042' UESCAPE '!'`, 'AB'],
    ])('%j is one string %j', (sql, value) => {
      const [only, ...rest] = strings(sql);
      expect(rest).toEqual([]);
      expect(only).toMatchObject({ value, line: 1, continued: true });
      expect(only!.badEscape).toBeUndefined();
    });

    test.each([
      ["'a' 'b'", ['a', 'b']],
      ["'a' /* c */\n'b'", ['a', 'b']],
      ["'a'\v\n'b'", ['a', 'b']],
      ['\'a\'\n"b"', ['a']],
      ["'a'\n$$b$$", ['a']],
      ["'a'\nE'b'", ['a', 'b']],
    ])('%j is not (no line end, a block comment, \\v before the line end, or no plain quote next)', (sql, values) => {
      expect(strings(sql).map((t) => [t.value, t.continued])).toEqual(values.map((value) => [value, undefined]));
    });

    test('with standard_conforming_strings off a continued plain string still takes backslash escapes', () => {
      const sql = String.raw`'a\''` + '\n' + String.raw`'\'b'`;
      expect(significant(tokenizeSql(sql, { standardConformingStrings: false })).map((t) => [t.kind, t.value])).toEqual([['string', "a''b"]]);
    });

    test('the tokens after a string that does not continue are read as they are, on their own lines', () => {
      const tokens = tokenizeSql("SELECT 'a' -- c\n ;\n'b'");
      expect(tokens.filter((t) => t.kind !== 'space').map((t) => [t.kind, t.value, t.line])).toEqual([
        ['word', 'select', 1],
        ['string', 'a', 1],
        ['comment', '-- c', 1],
        ['symbol', ';', 2],
        ['string', 'b', 3],
      ]);
    });

    test('a continuation in a later piece joins; the statement and the lines after it are as if read whole', () => {
      const text = "ALTER ROLE r SET search_path = 'safe'\n\n  'r, evil'; SELECT 'x'\n";
      const whole = splitSqlStatements(text);
      expect(whole.map((s) => s.sql)).toEqual(["ALTER ROLE r SET search_path = 'safe'\n\n  'r, evil'", "SELECT 'x'"]);
      expect(significant(whole[0]!.tokens).at(-1)).toMatchObject({ kind: 'string', value: 'safer, evil', line: 1 });
      expect(whole[1]!.line).toBe(3);
      for (const size of [1, 3, 7]) {
        const pieces: SqlStatement[] = [];
        const splitter = new SqlStatementSplitter((s) => pieces.push(s));
        for (let at = 0; at < text.length; at += size) splitter.push(text.slice(at, at + size));
        splitter.end();
        expect(pieces).toEqual(whole);
      }
    });

    test('a string at the very end, with only space or a comment after it, is ended and handed on', () => {
      expect(kinds(tokenizeSql("'a'\n  "))).toEqual([['string', 'a']]);
      expect(tokenizeSql("'a'\n  -- c").map((t) => t.kind)).toEqual(['string', 'space', 'comment']);
    });
  });

  test("E is a prefix only at a word's start: abcE'x' is the word abce and a standard string", () => {
    expect(kinds(tokenizeSql(String.raw`abcE'x\' E"y"`))).toEqual([
      ['word', 'abce'],
      ['string', 'x\\'],
      ['word', 'e'],
      ['quoted-name', 'y'],
    ]);
  });

  test('with standard_conforming_strings off a plain string takes backslash escapes', () => {
    expect(kinds(tokenizeSql(String.raw`'a\'b'`, { standardConformingStrings: false }))).toEqual([['string', "a'b"]]);
  });

  test('dollar quotes end at their own tag only; a $ inside a word or after a parameter starts none', () => {
    expect(kinds(tokenizeSql('$a$ x $b$ y $$ z $b$ $a$ a$b$ $1$c$ q $c$'))).toEqual([
      ['dollar-string', ' x $b$ y $$ z $b$ '],
      ['word', 'a$b$'],
      ['parameter', '$1'],
      ['dollar-string', ' q '],
    ]);
    expect(kinds(tokenizeSql('$$$$ $_x1$$_x1$'))).toEqual([
      ['dollar-string', ''],
      ['dollar-string', ''],
    ]);
  });

  test('block comments nest; a line comment ends at the line end; operators stop before a comment', () => {
    expect(kinds(tokenizeSql('/* a /* b */ c */ x +-- d\ny'))).toEqual([
      ['comment', '/* a /* b */ c */'],
      ['word', 'x'],
      ['symbol', '+'],
      ['comment', '-- d'],
      ['word', 'y'],
    ]);
  });

  // scan.l and psqlscan.l: comment is "--" then {non_newline}*, and a carriage return is a newline. A
  // dump's "-- x\rSELECT f();" runs f() under psql; read to the \n, a check would never see that statement.
  test('a line comment ends at a carriage return too: what follows it on the same \\n line is read', () => {
    expect(kinds(tokenizeSql('x -- d\ry'))).toEqual([
      ['word', 'x'],
      ['comment', '-- d'],
      ['word', 'y'],
    ]);
    expect(sqlOf('SELECT 1; -- c\rSELECT 2;\nSELECT 3;')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  test('numbers, and the line each token starts on', () => {
    const tokens = tokenizeSql("1.5e3 .5 0x1F\n'a\nb' c");
    expect(kinds(tokens)).toEqual([
      ['number', '1.5e3'],
      ['number', '.5'],
      ['number', '0x1F'],
      ['string', 'a\nb'],
      ['word', 'c'],
    ]);
    expect(tokens.filter((t) => t.kind !== 'space').map((t) => t.line)).toEqual([1, 1, 1, 2, 3]);
  });

  test.each([
    ["'abc", 'string'],
    ["E'abc\\'", 'string'],
    ['"abc', 'quoted-name'],
    ['$a$ body $b$', 'dollar-string'],
    ['$a$ body $A$', 'dollar-string'],
    ['/* /* */', 'comment'],
  ])('%s runs to the end unterminated', (text, kind) => {
    const last = tokenizeSql(`x ${text}`).at(-1)!;
    expect(last).toMatchObject({ kind, unterminated: true, raw: text });
  });
});
