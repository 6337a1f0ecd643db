// @vitest-environment happy-dom
/** The irrevocable alarm in the window: on every view while a grant carries the mark, gone after. */
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
import { aLocalGrant, aSnapshot, fakeRendererApi, t0 } from './test-fixtures.ts';
import { viewHash, viewNames } from './view-route.logic.ts';
import { createViewStore, fragmentChanged } from './view-store.ts';

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true });

const stuck = aLocalGrant({
  id: 'g7',
  role: 'prod-db',
  status: 'revoked',
  irrevocableAt: '2030-01-01T00:02:00.000Z',
});
const listeners = new Set<PushListener>();
const host: HourglassHost = {
  ...fakeRendererApi({ getSnapshot: () => Promise.resolve(ok(aSnapshot({ grants: [stuck] }))) }),
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
  keychainHealth: createKeychainHealthStore(() => Promise.resolve(ok(null))),
};
const container = document.createElement('div');
let root: Root;
const banner = () => container.querySelector('[data-testid="irrevocable-banner"]');
const push = (snapshot: AgentSnapshot) =>
  act(() => listeners.forEach((l) => l({ type: 'snapshot', snapshot })));

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
});

afterAll(() => act(() => root.unmount()));

describe('irrevocable alarm banner', () => {
  it('names the grant on every view, as an alert, until the mark is cleared', () => {
    for (const view of viewNames) {
      act(() => stores.views.setState((s) => fragmentChanged(s, viewHash(view)), true));
      expect(banner()?.getAttribute('role')).toBe('alert');
      expect(banner()?.textContent).toContain(
        'Access of prod-db (grant g7) could not be removed at its target',
      );
    }
    push(aSnapshot({ version: 2, grants: [{ ...stuck, irrevocableAt: null }] }));
    expect(banner()).toBeNull();
  });
});
