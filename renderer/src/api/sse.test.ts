import { describe, expect, test } from 'vitest';
import { SseParser } from './sse.ts';

describe('SseParser', () => {
  test('events split anywhere across chunks come out whole, in order', () => {
    const stream = 'event: progress\ndata: {"a":1}\n\nevent: progress\ndata: {"a":2}\n\nevent: result\ndata: {"ok":true,"value":3}\n\n';
    for (let size = 1; size <= stream.length; size += 7) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
      expect(events).toEqual([
        { event: 'progress', data: '{"a":1}' },
        { event: 'progress', data: '{"a":2}' },
        { event: 'result', data: '{"ok":true,"value":3}' },
      ]);
    }
  });

  test('CRLF and CR line ends, a CRLF split between chunks, multi-line data, comments, no event name', () => {
    const parser = new SseParser();
    const events = [...parser.push(': keep-alive\r\nevent: x\r'), ...parser.push('\ndata: one\rdata: two\r\n\r\n'), ...parser.push('data:plain\n\n')];
    expect(events).toEqual([
      { event: 'x', data: 'one\ntwo' },
      { event: 'message', data: 'plain' },
    ]);
  });

  test('an event is not complete until its blank line; a blank line alone is nothing', () => {
    const parser = new SseParser();
    expect(parser.push('\n\nevent: result\ndata: {}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'result', data: '{}' }]);
  });
});
