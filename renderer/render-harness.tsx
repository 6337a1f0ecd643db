/**
 * Test support: the real window (App, every store, every component) mounted by react-dom into the
 * test's DOM (happy-dom) over a fake host whose snapshot and pushes the test controls.
 * react-dom is imported when mounting, so a render probe installed first sees every commit.
 */
import { act } from 'react';
import type { Root } from 'react-dom/client';
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
import { fakeRendererApi, t0 } from './test-fixtures.ts';
import { createViewStore, fragmentChanged } from './view-store.ts';

Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true });

/** A mounted window and the handles a test drives it with. */
export interface RenderedWindow {
  host: HourglassHost;
  stores: WindowStores;
  container: HTMLElement;
  /** Pushes a snapshot from the agent, as the host would. */
  push: (snapshot: AgentSnapshot) => void;
  /** Follows a route (`#/approvals`, `#grant=g1`). */
  go: (hash: string) => void;
  mount: () => Promise<void>;
  unmount: () => void;
}

/**
 * A window over a fake host answering `snapshot`; `host` overrides host methods (e.g. the
 * desktop's keychain probe; the console has none).
 */
export function renderWindow(opts: {
  snapshot: AgentSnapshot;
  mode?: 'electron' | 'console';
  host?: Partial<HourglassHost>;
}): RenderedWindow {
  const listeners = new Set<PushListener>();
  const host: HourglassHost = {
    ...fakeRendererApi({ getSnapshot: () => Promise.resolve(ok(opts.snapshot)) }),
    ...opts.host,
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const mode = opts.mode ?? 'electron';
  const stores: WindowStores = {
    agent: createAgentApp(host, mode, { clock: () => t0 }),
    clock: createClockStore(t0),
    views: createViewStore(''),
    settings: createSettingsStore(null),
    requestDraft: createRequestDraftStore(),
    keychainHealth: createKeychainHealthStore(
      mode === 'console' ? null : () => host.getKeychainHealth?.() ?? Promise.resolve(ok(null)),
    ),
  };
  const container = document.createElement('div');
  let root: Root | undefined;
  return {
    host,
    stores,
    container,
    push: (snapshot) => act(() => listeners.forEach((l) => l({ type: 'snapshot', snapshot }))),
    go: (hash) => act(() => stores.views.setState((s) => fragmentChanged(s, hash), true)),
    async mount() {
      document.body.append(container);
      const { createRoot } = await import('react-dom/client');
      const mounted = createRoot(container);
      root = mounted;
      await act(async () => {
        mounted.render(
          <Providers stores={stores}>
            <App />
          </Providers>,
        );
        await Promise.resolve();
      });
    },
    unmount: () => act(() => root?.unmount()),
  };
}
