// @vitest-environment happy-dom
/**
 * The countdown re-renders only the ticking element: the real window (App and every component)
 * rendered by react-dom into happy-dom, each commit's rendered components read from the fiber
 * tree. A clock tick renders the Countdown elements and nothing else, on every view; a pushed
 * snapshot does render the lists (so the probe can tell).
 */
import { act } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from './app.tsx';
import { clockTicked, createClockStore } from './clock-store.ts';
import { createKeychainHealthStore } from './keychain-health-store.ts';
import { Providers, type WindowStores } from './providers.tsx';
import { installRenderProbe } from './render-probe.ts';
import { createSettingsStore } from './settings-store.ts';
import { createAgentApp } from './store.ts';
import { createRequestDraftStore } from './stores/request-draft.ts';
import type { HourglassHost, PushListener } from './host-api.ts';
import {
  aLocalGrant,
  anApproval,
  aPendingGrant,
  aSnapshot,
  at,
  fakeRendererApi,
  t0,
} from './test-fixtures.ts';
import { createViewStore, fragmentChanged } from './view-store.ts';

const probe = installRenderProbe();
Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true });

const snapshot = aSnapshot({
  grants: [aLocalGrant({ id: 'g1', expiresAt: at(900) }), aPendingGrant({ id: 'g2' })],
  approvals: [anApproval()],
});
const listeners = new Set<PushListener>();
const host: HourglassHost = {
  ...fakeRendererApi({ getSnapshot: () => Promise.resolve({ ok: true, value: snapshot }) }),
  onPush(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
const stores: WindowStores = {
  agent: createAgentApp(host, 'console', { clock: () => t0 }),
  clock: createClockStore(t0),
  views: createViewStore(''),
  settings: createSettingsStore(null),
  requestDraft: createRequestDraftStore(),
  keychainHealth: createKeychainHealthStore(null),
};
const container = document.createElement('div');
let unmount = () => undefined as void;

const countdowns = () => [...container.querySelectorAll('.countdown')].map((e) => e.textContent);
const tick = (seconds: number) =>
  act(() => stores.clock.setState((s) => clockTicked(s, t0 + seconds * 1000), true));
const go = (hash: string) =>
  act(() => stores.views.setState((s) => fragmentChanged(s, hash), true));

beforeAll(async () => {
  document.body.append(container);
  const { createRoot } = await import('react-dom/client');
  const root = createRoot(container);
  await act(async () => {
    root.render(
      <Providers stores={stores}>
        <App />
      </Providers>,
    );
    await Promise.resolve();
  });
  unmount = () => root.unmount();
});

afterAll(() => act(() => unmount()));

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
    act(() => listeners.forEach((l) => l({ type: 'snapshot', snapshot: more })));
    expect(probe.take()).toContain('ActiveGrants');
    expect(container.querySelectorAll('[data-testid="grant"]')).toHaveLength(2);
  });
});
