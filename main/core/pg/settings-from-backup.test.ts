import { expect, test } from 'vitest';
import { codeLoadingSetting } from './code-loading-settings.ts';
import { settingLeftOutOfRestore, SETTINGS_TAKEN_FROM_BACKUP } from './settings-from-backup.ts';

test('no setting a restore takes from a backup loads code, names a file or switches off a check', () => {
  expect([...SETTINGS_TAKEN_FROM_BACKUP].filter((name) => codeLoadingSetting(name) !== undefined)).toEqual([]);
  expect([...SETTINGS_TAKEN_FROM_BACKUP].filter((name) => name !== name.toLowerCase())).toEqual([]);
});

test.each([
  ['work_mem', undefined],
  ['DateStyle', undefined],
  ['plpgsql.variable_conflict', undefined],
  ['log_statement', { why: 'decides what the server logs', code: false }],
  ['Log_Min_Duration_Statement', { why: 'decides what the server logs', code: false }],
  ['lc_messages', { why: 'decides what the server logs', code: false }],
  ['pgaudit.log', { why: 'decides what pgAudit records', code: false }],
  ['track_activities', { why: "decides what the server's activity and statistics views record", code: false }],
  ['synchronous_commit', { why: 'decides when a commit is durable', code: false }],
  ['role', { why: 'switches the role sessions run as', code: false }],
  ['app.tenant', { why: "is an extension's or an application's own setting", code: false }],
  ['auto_explain.log_min_duration', { why: "is an extension's or an application's own setting", code: false }],
  ['default_tablespace', { why: 'is not one of the ordinary per-database settings a restore takes from a backup', code: false }],
  ['session_preload_libraries', { why: 'loads a library into the server', code: true }],
  ['log_directory', { why: 'names a file or directory on the server', code: true }],
])('%s from a backup: %o', (name, expected) => {
  expect(settingLeftOutOfRestore(name, ['x'])).toEqual(expected);
});

// CVE-2018-1058's trojan: a schema searched before pg_catalog resolves every session's unqualified
// built-in function and operator names (lower(), =) to its own objects first.
const SHADOWS = { why: 'searches a schema before pg_catalog, so its functions and operators would replace the built-in ones in every session', code: true };
test.each([
  [['app', 'public'], undefined],
  [['$user', 'public'], undefined],
  [['pg_catalog', 'app', 'pg_temp'], undefined],
  [['pg_temp', 'public'], undefined],
  [[''], undefined],
  // Each value is one schema's exact name as applied: 'PG_CATALOG' and 'evil, pg_catalog' name other schemas.
  [['PG_CATALOG', 'evil'], undefined],
  [['evil, pg_catalog'], undefined],
  [['evil', 'pg_catalog'], SHADOWS],
  [['public', 'pg_catalog'], SHADOWS],
  [['$user', 'pg_catalog'], SHADOWS],
  [['pg_temp', 'pg_catalog'], SHADOWS],
])('search_path = %j from a backup: %o', (values, expected) => {
  expect(settingLeftOutOfRestore('search_path', values)).toEqual(expected);
  expect(settingLeftOutOfRestore('Search_Path', values)).toEqual(expected);
});

test('a value shadows nothing in any other setting', () => {
  expect(settingLeftOutOfRestore('work_mem', ['evil', 'pg_catalog'])).toBeUndefined();
});
