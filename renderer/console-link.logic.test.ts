import { describe, expect, it } from 'vitest';
import {
  failuresBeforeDisconnected,
  initialLink,
  linkAfter,
  type LinkState,
  type StreamEvent,
} from './console-link.logic.ts';

const run = (events: StreamEvent[]): LinkState => events.reduce(linkAfter, initialLink);

describe('console link', () => {
  it('stays live through a few failed reconnects, then says disconnected', () => {
    const fails = Array<StreamEvent>(failuresBeforeDisconnected - 1).fill('failed');
    expect(run(['opened', ...fails]).link).toBe('live');
    expect(run(['opened', ...fails, 'failed']).link).toBe('disconnected');
  });
  it('a refused session (the console no longer knows it) is disconnected at once', () => {
    expect(run(['opened', 'refused']).link).toBe('disconnected');
  });
  it('a stream that opens again is live and its failures start over', () => {
    const state = run(['failed', 'failed', 'failed', 'opened']);
    expect(state).toEqual({ link: 'live', failures: 0 });
  });
});
