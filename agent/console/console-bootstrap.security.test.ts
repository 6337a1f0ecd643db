/** Threats against the printed console link (`hourglass console`): a leaked link reused later, or flooded. */
import { describe, expect, it } from 'vitest';
import { bootstrapTtlMs, createConsoleSessions } from './console-sessions.ts';

describe('console bootstrap links', () => {
  it('threat: a link left in scrollback or shell history opens the console later — it expires unused', () => {
    let now = 1_000_000;
    const sessions = createConsoleSessions(() => now);
    const fresh = sessions.mintBootstrap();
    const stale = sessions.mintBootstrap();
    now += bootstrapTtlMs - 1;
    expect(sessions.exchange(fresh)).not.toBeNull();
    now += 1;
    expect(sessions.exchange(stale)).toBeNull();
  });

  it('threat: a link is replayed — it works once, and a refused (expired) one is gone too', () => {
    let now = 0;
    const sessions = createConsoleSessions(() => now);
    const link = sessions.mintBootstrap();
    expect(sessions.exchange(link)).not.toBeNull();
    expect(sessions.exchange(link)).toBeNull();
    const late = sessions.mintBootstrap();
    now += bootstrapTtlMs;
    expect(sessions.exchange(late)).toBeNull();
    now = 0;
    expect(sessions.exchange(late)).toBeNull();
  });

  it('threat: minting without end grows memory — unused links are capped, the newest kept', () => {
    const sessions = createConsoleSessions(() => 0);
    const first = sessions.mintBootstrap();
    const links = Array.from({ length: 100 }, () => sessions.mintBootstrap());
    expect(sessions.exchange(first)).toBeNull();
    expect(sessions.exchange(links.at(-1) ?? '')).not.toBeNull();
  });
});
