import { describe, expect, it } from 'vitest';
import { takeFrames } from './sse-frames.logic.ts';

describe('takeFrames', () => {
  it('returns complete frames and keeps the unfinished tail', () => {
    const { frames, rest } = takeFrames(
      'event: push\ndata: {"a":1}\n\n:heartbeat\n\nevent: push\ndata: {"b"',
    );
    expect(frames).toEqual([{ event: 'push', data: '{"a":1}' }]);
    expect(rest).toBe('event: push\ndata: {"b"');
    expect(takeFrames(`${rest}:2}\n\n`).frames).toEqual([{ event: 'push', data: '{"b":2}' }]);
  });

  it('joins multi-line data, accepts CRLF and defaults the event name', () => {
    expect(takeFrames('data: a\r\ndata: b\r\n\r\n').frames).toEqual([
      { event: 'message', data: 'a\nb' },
    ]);
  });

  it('drops comments and frames without data', () => {
    expect(takeFrames(':ready\n\nevent: push\n\n').frames).toEqual([]);
  });
});
