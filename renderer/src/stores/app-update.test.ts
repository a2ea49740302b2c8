import { describe, expect, test } from 'vitest';
import { afterChunkFailure } from './app-update.ts';

describe('a chunk that failed to load', () => {
  test('index.html naming another entry is a new build: the browser reloads once for it', () => {
    expect(afterChunkFailure('./assets/index-old.js', './assets/index-new.js', null, 'http')).toBe('reloading');
  });

  test('a build already reloaded for is not reloaded again: the user is asked (no reload loop)', () => {
    expect(afterChunkFailure('./assets/index-new.js', './assets/index-newer.js', './assets/index-newer.js', 'http')).toBe('ask');
  });

  test('the same entry, or no answer from serve, is no update: only the view says it could not load', () => {
    expect(afterChunkFailure('./assets/index-a.js', './assets/index-a.js', null, 'http')).toBe('current');
    expect(afterChunkFailure('./assets/index-a.js', null, null, 'http')).toBe('current');
  });

  test('the desktop app asks instead of reloading: its window owns its running calls', () => {
    expect(afterChunkFailure('./assets/index-old.js', './assets/index-new.js', null, 'ipc')).toBe('ask');
  });
});
