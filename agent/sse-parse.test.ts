import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse-parse.ts';

describe('SSE parser', () => {
  it('assembles messages split across chunks and skips heartbeats', () => {
    const parser = createSseParser();
    expect(parser.push(':heartbeat\n\nid: 4\nevent: gr')).toEqual([]);
    expect(parser.push('ant\ndata: {"a":1}\n\nevent: ready\r\ndata: {"now":"x"}\r\n\r\n')).toEqual([
      { id: '4', event: 'grant', data: '{"a":1}' },
      { id: null, event: 'ready', data: '{"now":"x"}' },
    ]);
  });

  it('joins multi-line data and defaults the event name', () => {
    const parser = createSseParser();
    expect(parser.push('data: a\ndata:b\nunknown: z\n\n')).toEqual([
      { id: null, event: 'message', data: 'a\nb' },
    ]);
  });

  it('drops a message that has no data', () => {
    expect(createSseParser().push('id: 9\nevent: grant\n\n')).toEqual([]);
  });
});
