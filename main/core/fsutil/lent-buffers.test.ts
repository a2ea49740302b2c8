import { describe, expect, it } from 'vitest';
import { freeNow, lend, letGo } from './lent-buffers.ts';

const chunk = () => Buffer.alloc(64 * 1024, 7);

describe('lent buffers', () => {
  it('frees a buffer only after the last of its holders lets go', () => {
    const buffer = chunk();
    lend(buffer, 2);
    letGo(buffer);
    expect(buffer.length).toBe(64 * 1024);
    expect(buffer[10]).toBe(7);
    letGo(buffer);
    // Freed: a holder that read on would find nothing, never other bytes.
    expect(buffer.length).toBe(0);
    expect(buffer.buffer.byteLength).toBe(0);
  });

  it('leaves alone a buffer nobody lent', () => {
    const buffer = chunk();
    letGo(buffer);
    expect(buffer.length).toBe(64 * 1024);
  });

  it('never frees a view of part of a larger buffer, nor a small pooled one', () => {
    const whole = Buffer.alloc(256 * 1024, 1);
    const part = whole.subarray(64 * 1024, 128 * 1024);
    freeNow(part);
    expect(whole.length).toBe(256 * 1024);
    const small = Buffer.from('a few bytes from the pool');
    freeNow(small);
    expect(small.toString()).toBe('a few bytes from the pool');
  });

  it('a buffer lent to nobody is freed at once', () => {
    const buffer = chunk();
    lend(buffer, 0);
    expect(buffer.length).toBe(0);
  });

  it('a buffer lent with a release is given back by it after the last holder, never freed', () => {
    const buffer = chunk();
    let released = 0;
    lend(buffer, 2, () => (released += 1));
    letGo(buffer);
    expect(released).toBe(0);
    letGo(buffer);
    expect(released).toBe(1);
    expect(buffer.length).toBe(64 * 1024);
    letGo(buffer);
    expect(released).toBe(1);
  });
});
