// @vitest-environment happy-dom
/**
 * The window's views rendered by react-dom (happy-dom): one view at a time, the navigation marks
 * it, the keychain banner (doctor's probe, from the desktop host) shows on every view, and a
 * `#grant=` route lands on the view that shows that grant, following it as snapshots arrive.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../protocol/agent-api.ts';
import { ok } from '../protocol/result.ts';
import { App } from './app.tsx';
import { createClockStore } from './clock-store.ts';
import type { HourglassHost, PushListener } from './host-api.ts';
import { createKeychainHealthStore } from './keychain-health-store.ts';
import { Providers, type WindowStores } from './providers.tsx';
import { createSettingsStore } from './settings-store.ts';
import { createAgentApp } from './store.ts';
import { createRequestDraftStore } from './stores/request-draft.ts';
import { aLocalGrant, anApproval, aSnapshot, at, fakeRendererApi, t0 } from './test-fixtures.ts';
import { viewHash, viewNames } from './view-route.logic.ts';
import { createViewStore, fragmentChanged } from './view-store.ts';

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true });

const first = aSnapshot({ grants: [aLocalGrant({ id: 'g1', expiresAt: at(900) })] });
const listeners = new Set<PushListener>();
const locked = { status: 'fail' as const, detail: 'the login keyring is locked', fix: 'unlock it' };
const host: HourglassHost = {
  ...fakeRendererApi({ getSnapshot: () => Promise.resolve(ok(first)) }),
  getKeychainHealth: () => Promise.resolve(ok(locked)),
  onPush(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
const stores: WindowStores = {
  agent: createAgentApp(host, 'electron', { clock: () => t0 }),
  clock: createClockStore(t0),
  views: createViewStore(''),
  settings: createSettingsStore(null),
  requestDraft: createRequestDraftStore(),
  keychainHealth: createKeychainHealthStore(
    () => host.getKeychainHealth?.() ?? Promise.resolve(ok(null)),
  ),
};
const container = document.createElement('div');
let root: Root;

const go = (hash: string) =>
  act(() => stores.views.setState((s) => fragmentChanged(s, hash), true));
const push = (snapshot: AgentSnapshot) =>
  act(() => listeners.forEach((l) => l({ type: 'snapshot', snapshot })));
const shownViews = () =>
  [...container.querySelectorAll('[data-view]')].map((e) => e.getAttribute('data-view'));
const current = () =>
  container.querySelector('a[aria-current="page"]')?.getAttribute('data-view-link');

beforeAll(async () => {
  document.body.append(container);
  root = createRoot(container);
  await act(async () => {
    root.render(
      <Providers stores={stores}>
        <App />
      </Providers>,
    );
    await Promise.resolve();
  });
  // The banner's first probe (it also re-probes when the window gains focus).
  await act(() => stores.keychainHealth.load());
});

afterAll(() => act(() => root.unmount()));

describe('the window’s views', () => {
  it('opens on Active; each route shows its view alone, marked in the navigation, with the keychain banner', () => {
    expect(shownViews()).toEqual(['active']);
    for (const view of viewNames) {
      go(viewHash(view));
      expect(shownViews()).toEqual([view]);
      expect(current()).toBe(view);
      expect(container.querySelector('[data-testid="keychain-banner"]')?.textContent).toContain(
        'the login keyring is locked — unlock it',
      );
    }
  });

  it('a route to a grant follows it: Active while it runs, History once it ended', () => {
    go('#grant=g1');
    expect(shownViews()).toEqual(['active']);
    expect(container.querySelector('[data-grant-id="g1"]')).not.toBeNull();
    push(aSnapshot({ version: 2, grants: [aLocalGrant({ id: 'g1', status: 'expired' })] }));
    expect(shownViews()).toEqual(['history']);
    expect(current()).toBe('history');
  });

  it('a route to a request waiting for this user’s decision opens the inbox, counted in the navigation', () => {
    push(aSnapshot({ version: 3, approvals: [anApproval({ id: 'g9' })] }));
    go('#grant=g9');
    expect(shownViews()).toEqual(['approvals']);
    expect(container.querySelector('[data-testid="nav-badge-approvals"]')?.textContent).toBe(
      '1 waiting',
    );
  });
});
