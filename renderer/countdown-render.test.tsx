// @vitest-environment happy-dom
/**
 * The countdown re-renders only the ticking element: the real window (App and every component)
 * rendered by react-dom into happy-dom, each commit's rendered components read from the fiber
 * tree. A clock tick renders the Countdown elements and nothing else, on every view; a pushed
 * snapshot does render the lists (so the probe can tell).
 */
import { act } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockTicked } from './clock-store.ts';
import { installRenderProbe } from './render-probe.ts';
import { renderWindow } from './render-harness.tsx';
import { aLocalGrant, anApproval, aPendingGrant, aSnapshot, at, t0 } from './test-fixtures.ts';

// Before react-dom loads (the harness imports it when mounting), so every commit is seen.
const probe = installRenderProbe();

const snapshot = aSnapshot({
  grants: [aLocalGrant({ id: 'g1', expiresAt: at(900) }), aPendingGrant({ id: 'g2' })],
  approvals: [anApproval()],
});
const app = renderWindow({ snapshot, mode: 'console' });
const { container, go, stores } = app;

const countdowns = () => [...container.querySelectorAll('.countdown')].map((e) => e.textContent);
const tick = (seconds: number) =>
  act(() => stores.clock.setState((s) => clockTicked(s, t0 + seconds * 1000), true));

beforeAll(() => app.mount());
afterAll(() => app.unmount());

describe('a countdown tick', () => {
  it('renders only the Countdown elements in Active, and their digits move', () => {
    expect(container.querySelectorAll('[data-testid="grant"]')).toHaveLength(1);
    expect(container.querySelectorAll('[data-testid="pending-grant"]')).toHaveLength(1);
    const before = countdowns();
    expect(before).toHaveLength(2);
    probe.take();
    tick(1);
    expect(probe.take()).toEqual(['Countdown', 'Countdown']);
    expect(countdowns()).not.toEqual(before);
  });

  it('renders only the Countdown in Approvals too', () => {
    go('#/approvals');
    expect(container.querySelectorAll('[data-testid="approval"]')).toHaveLength(1);
    probe.take();
    tick(2);
    expect(probe.take()).toEqual(['Countdown']);
  });

  it('renders nothing where nothing counts down (History)', () => {
    go('#/history');
    probe.take();
    tick(3);
    expect(probe.take()).toEqual([]);
  });

  it('whereas a pushed snapshot re-renders the views that show it', () => {
    go('#/active');
    probe.take();
    const more = aSnapshot({
      version: 2,
      grants: [...snapshot.grants, aLocalGrant({ id: 'g3', role: 'prod-db', expiresAt: at(300) })],
    });
    app.push(more);
    expect(probe.take()).toContain('ActiveGrants');
    expect(container.querySelectorAll('[data-testid="grant"]')).toHaveLength(2);
  });
});
