import { describe, expect, test } from 'vitest';
import { CHANNELS, CHANNEL_NAMES, LONG_RUNNING_CHANNELS } from './channels.ts';
import { contract } from './contract.ts';
import { DETACHED_CHANNELS } from './serve/operations.ts';
import { channelChangesState, channelRole } from './serve/auth.ts';
import { STREAMING_CHANNELS } from '../renderer/src/api/http.ts';

describe('one table of channel facts', () => {
  test('every contract channel has its facts, and the table names no channel the contract lacks', () => {
    expect([...CHANNEL_NAMES].sort()).toEqual(Object.keys(contract).sort());
  });

  test('serve and the renderer read their lists from it', () => {
    for (const name of CHANNEL_NAMES) {
      expect(channelChangesState(name), name).toBe(CHANNELS[name].changesState);
      // With an input that raises nothing, a channel needs exactly the table's role.
      expect(channelRole(name, {}), name).toBe(CHANNELS[name].role);
    }
    expect([...DETACHED_CHANNELS].sort()).toEqual([...LONG_RUNNING_CHANNELS].sort());
    expect([...STREAMING_CHANNELS].sort()).toEqual([...LONG_RUNNING_CHANNELS].sort());
  });

  test('settings.get only reads (under serve it was audited as a change on every visit to Settings)', () => {
    expect(channelChangesState('settings.get')).toBe(false);
  });
});
