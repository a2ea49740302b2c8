import { describe, expect, test } from 'vitest';
import { HoldfastError } from './errors.ts';
import { HINT_ACTIONS, HINT_ACTION_NAMES, hintActions, hintValue, renderHint } from './hint-actions.ts';

describe('hint actions: one template, the CLI says flags, the app says its controls', () => {
  test('a placeholder renders as the flag for the CLI and as the control for the app, capitalised at a sentence start', () => {
    const template = '3 sessions are connected: {{terminate-connections}} to end them. {{create}}.';
    expect(renderHint(template, 'cli')).toBe('3 sessions are connected: Add --terminate-connections to end them. Add --create to create it.');
    expect(renderHint(template, 'app')).toBe('3 sessions are connected: Tick "End other sessions on the database" to end them. Choose "Create a new database".');
    expect(hintActions(template)).toEqual(['terminate-connections', 'create']);
  });

  test('an unknown placeholder is left as written, not dropped', () => {
    expect(renderHint('try {{no-such-thing}}', 'app')).toBe('try {{no-such-thing}}');
    expect(hintActions('try {{no-such-thing}}')).toEqual([]);
  });

  test("no app wording names a CLI flag or a holdfast command, and every CLI wording differs from the app's", () => {
    for (const name of HINT_ACTION_NAMES) {
      expect(HINT_ACTIONS[name].app, name).not.toMatch(/--[a-z]|holdfast [a-z]/);
      expect(HINT_ACTIONS[name].cli, name).not.toBe(HINT_ACTIONS[name].app);
    }
  });

  test('an error carries both wordings and the action; the CLI-facing hint keeps its flags', () => {
    const error = new HoldfastError('RESTORE_REFUSED', 'Database "shop" is busy.', 'Disconnect its sessions (or {{terminate-connections}}) and try again.');
    expect(error.hint).toBe('Disconnect its sessions (or add --terminate-connections) and try again.');
    expect(error.toInfo()).toEqual({
      code: 'RESTORE_REFUSED',
      message: 'Database "shop" is busy.',
      hint: 'Disconnect its sessions (or add --terminate-connections) and try again.',
      appHint: 'Disconnect its sessions (or tick "End other sessions on the database") and try again.',
      action: 'terminate-connections',
    });
  });

  test('a hint without placeholders crosses unchanged, with no app copy', () => {
    expect(new HoldfastError('BAD_INPUT', 'x', 'Fix it.').toInfo()).toEqual({ code: 'BAD_INPUT', message: 'x', hint: 'Fix it.' });
    expect(new HoldfastError('BAD_INPUT', 'x').toInfo()).toEqual({ code: 'BAD_INPUT', message: 'x' });
  });
});

test('a placeholder with a value: the CLI says the exact --confirm, the app its control', () => {
  const template = 'To replace it, {{replace-existing:prod/app}}.';
  expect(renderHint(template, 'cli')).toBe('To replace it, use --clean (or --swap to keep the old one) with --confirm=prod/app.');
  expect(renderHint(template, 'app')).toBe('To replace it, tick "Replace what is in the database (drop existing)".');
  expect(renderHint('To replace it, {{replace-existing}}.', 'cli')).toContain('--confirm=<name>');
  expect(hintActions(template)).toEqual(['replace-existing']);
});

test('a value holding } or \\ (a database may be named so) is carried whole, as written', () => {
  for (const name of ['a}b', 'x\\y', '}}', 'end\\', 'dollar $& $1']) {
    const template = `To replace it, {{replace-existing:${hintValue(`prod/${name}`)}}}.`;
    expect(renderHint(template, 'cli')).toBe(`To replace it, use --clean (or --swap to keep the old one) with --confirm=prod/${name}.`);
    expect(hintActions(template)).toEqual(['replace-existing']);
  }
});
