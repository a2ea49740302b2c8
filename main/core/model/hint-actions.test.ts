import { describe, expect, test } from 'vitest';
import { HoldfastError, hintFollowedBy } from './errors.ts';
import { HINT_ACTIONS, HINT_ACTION_NAMES, hintActions, hintText, renderHint } from './hint-actions.ts';

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
    const template = `To replace it, {{replace-existing:${hintText(`prod/${name}`)}}}.`;
    expect(renderHint(template, 'cli')).toBe(`To replace it, use --clean (or --swap to keep the old one) with --confirm=prod/${name}.`);
    expect(hintActions(template)).toEqual(['replace-existing']);
  }
});

// A backup's setting value, role or comment, or a server's message, put into a hint: its {{…}} stays text
// and the hint's own placeholders still render, so a statement printed from it is the exact statement.
test.each(['{{no-owner}}', '{{replace-existing:prod/x}}', '\\{{create}}', 'ends with \\', '\\\\', '{', '{{', '}}', 'a {{confirm}} b', 'no braces'])(
  'text from a backup (%s) renders as written, on both surfaces, and names no action',
  (text) => {
    const template = `Run SET x TO '${hintText(text)}'; or {{create}}. ${hintText(text)}`;
    expect(renderHint(template, 'cli')).toBe(`Run SET x TO '${text}'; or add --create to create it. ${text}`);
    expect(renderHint(template, 'app')).toBe(`Run SET x TO '${text}'; or choose "Create a new database". ${text}`);
    expect(hintActions(template)).toEqual(['create']);
  },
);

test("an error re-thrown with more after its hint keeps the app's words, and the added text is said as written", () => {
  const error = new HoldfastError('RESTORE_FAILED', 'x', 'Restore the roles file first, or {{no-owner}}.');
  const rethrown = new HoldfastError(error.code, error.message, hintFollowedBy(error, 'Database "a{{create}}\\\\b" is back as it was.'));
  expect(rethrown.toInfo()).toEqual({
    code: 'RESTORE_FAILED',
    message: 'x',
    hint: 'Restore the roles file first, or use --no-owner --no-acl. Database "a{{create}}\\\\b" is back as it was.',
    appHint: 'Restore the roles file first, or tick "Skip ownership" and "Skip privileges". Database "a{{create}}\\\\b" is back as it was.',
    action: 'no-owner',
  });
});
