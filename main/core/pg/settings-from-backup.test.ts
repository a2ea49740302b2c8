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
  expect(settingLeftOutOfRestore(name)).toEqual(expected);
});
