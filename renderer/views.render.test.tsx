// @vitest-environment happy-dom
/**
 * The window's views rendered by react-dom (happy-dom): one view at a time, the navigation marks
 * it, the keychain banner (doctor's probe, from the desktop host) shows on every view, and a
 * `#grant=` route lands on the view that shows that grant, following it as snapshots arrive.
 */
import { act } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../protocol/result.ts';
import { renderWindow } from './render-harness.tsx';
import { aLocalGrant, anApproval, aSnapshot, at } from './test-fixtures.ts';
import { viewHash, viewNames } from './view-route.logic.ts';

const locked = { status: 'fail' as const, detail: 'the login keyring is locked', fix: 'unlock it' };
const app = renderWindow({
  snapshot: aSnapshot({ grants: [aLocalGrant({ id: 'g1', expiresAt: at(900) })] }),
  host: { getKeychainHealth: () => Promise.resolve(ok(locked)) },
});
const { container, go, push } = app;
const shownViews = () =>
  [...container.querySelectorAll('[data-view]')].map((e) => e.getAttribute('data-view'));
const current = () =>
  container.querySelector('a[aria-current="page"]')?.getAttribute('data-view-link');

beforeAll(async () => {
  await app.mount();
  // The banner's first probe (it also re-probes when the window gains focus).
  await act(() => app.stores.keychainHealth.load());
});

afterAll(() => app.unmount());

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
