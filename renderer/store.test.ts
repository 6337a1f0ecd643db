/** The store fed by pushes: no polling, notices shown and clickable, actions report failures. */
import { describe, expect, it } from 'vitest';
import type { AgentNotice, AgentPush } from '../protocol/agent-api.ts';
import { fail, ok } from '../protocol/result.ts';
import type { NotifyPort } from './browser-notify.ts';
import type { HourglassHost, PushListener } from './host-api.ts';
import { createAgentApp } from './store.ts';
import {
  aLocalGrant,
  aNotice,
  anApproval,
  aSnapshot,
  fakeRendererApi,
  t0,
} from './test-fixtures.ts';

function host(over: Parameters<typeof fakeRendererApi>[0] = {}) {
  const listeners = new Set<PushListener>();
  const calls: string[] = [];
  const api = fakeRendererApi(over);
  const counted = Object.fromEntries(
    Object.entries(api).map(([k, fn]) => [
      k,
      (input: never) => {
        calls.push(k);
        return (fn as (i: never) => unknown)(input);
      },
    ]),
  ) as unknown as typeof api;
  const h: HourglassHost = {
    ...counted,
    onPush: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { h, calls, push: (p: AgentPush) => listeners.forEach((l) => l(p)), listeners };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('app store', () => {
  it('signing out in the console ends grants when asked and opens the IdP logout page in a tab', async () => {
    const asked: { endGrants?: boolean }[] = [];
    const { h } = host({
      logout: (input) => {
        asked.push(input);
        return Promise.resolve(
          ok({ wiped: 1, grantsEnded: 1, endSessionUrl: 'https://idp.test/session/end?x=1' }),
        );
      },
    });
    const tabs: string[] = [];
    const openTab = () => ({
      navigate: (url: string) => tabs.push(url),
      close: () => tabs.push('closed'),
    });
    const app = createAgentApp(h, 'console', { clock: () => t0, openTab });
    await app.actions.signOut(true);
    expect(asked).toEqual([{ endGrants: true }]);
    expect(tabs).toEqual(['https://idp.test/session/end?x=1']);
  });

  it('a sign-out without an IdP logout page closes the tab it opened', async () => {
    const { h } = host();
    const tabs: string[] = [];
    const openTab = () => ({
      navigate: (url: string) => tabs.push(url),
      close: () => tabs.push('closed'),
    });
    const app = createAgentApp(h, 'console', { clock: () => t0, openTab });
    await app.actions.signOut(false);
    expect(tabs).toEqual(['closed']);
  });

  it('loads one snapshot, then follows pushes without asking again', async () => {
    const { h, calls, push, listeners } = host();
    const app = createAgentApp(h, 'console', { clock: () => t0 });
    const stop = app.actions.start();
    await settle();
    expect(app.stores.grants.getState().grants).toHaveLength(1);
    push({
      type: 'snapshot',
      snapshot: aSnapshot({
        version: 2,
        grants: [aLocalGrant({ id: 'x' }), aLocalGrant({ id: 'y' })],
      }),
    });
    expect(app.stores.grants.getState().grants.map((g) => g.id)).toEqual(['x', 'y']);
    expect(
      calls.filter((c) => c === 'getSnapshot' || c === 'listGrants' || c === 'getStatus'),
    ).toEqual(['getSnapshot']);
    stop();
    expect(listeners.size).toBe(0);
  });

  it('a notice lands in the page list and as a system notification whose click selects the grant', async () => {
    const { h, push } = host();
    const shown: { notice: AgentNotice; click: () => void }[] = [];
    const notify: NotifyPort = {
      permission: () => 'granted',
      request: () => Promise.resolve('granted'),
      show: (notice, click) => shown.push({ notice, click }),
    };
    const opened: string[] = [];
    const app = createAgentApp(h, 'console', {
      clock: () => t0,
      notify,
      onGrantOpened: (id) => opened.push(id),
    });
    app.actions.start();
    await settle();
    push({ type: 'notice', notice: aNotice({ grantId: 'g1' }) });
    expect(app.stores.notices.getState().notices.map((n) => n.id)).toEqual(['n1']);
    shown[0]?.click();
    expect(app.stores.grants.getState().selectedGrantId).toBe('g1');
    // The window goes to the view showing that grant.
    expect(opened).toEqual(['g1']);
  });

  it('an approval answer changes the inbox only, never the approver’s own grants', async () => {
    const decided = aLocalGrant({ id: 'g9', status: 'active' });
    const { h } = host({ approveGrant: () => Promise.resolve(ok({ grant: decided })) });
    const app = createAgentApp(h, 'console', { clock: () => t0 });
    app.actions.start();
    await settle();
    app.stores.approvals.setState({ approvals: [anApproval()], error: null });
    const before = app.stores.grants.getState();
    expect(await app.actions.approveGrant('g9', 'ok')).toBe(true);
    expect(app.stores.approvals.getState().approvals).toEqual([]);
    expect(app.stores.grants.getState()).toBe(before);
  });

  it('in the desktop app, sign-out opens no tab: main opens the IdP page itself', async () => {
    const { h } = host({
      logout: () =>
        Promise.resolve(ok({ wiped: 0, grantsEnded: 0, endSessionUrl: 'https://idp.test/end' })),
    });
    let tabs = 0;
    const app = createAgentApp(h, 'electron', {
      clock: () => t0,
      openTab: () => {
        tabs++;
        return { navigate: () => undefined, close: () => undefined };
      },
    });
    await app.actions.signOut(false);
    expect(tabs).toBe(0);
    expect(app.stores.session.getState().errors).toEqual({});
  });

  it('already_active on request offers Extend on the held grant', async () => {
    const { h } = host({
      requestGrant: () =>
        Promise.resolve({
          ok: false,
          error: { code: 'already_active', message: 'You hold it.', grantId: 'g1' },
        }),
    });
    const app = createAgentApp(h, 'console', { clock: () => t0 });
    const sent = await app.actions.requestGrant({
      role: 'prod-api-admin',
      durationSeconds: 60,
      reason: 'x',
    });
    expect(sent).toBe(false);
    expect(app.stores.grants.getState().alreadyActive).toEqual({ grantId: 'g1' });
  });

  it('a refused approval shows its message in the inbox', async () => {
    const { h } = host({
      approveGrant: () =>
        Promise.resolve(fail('not_approver', 'You cannot approve your own request.')),
    });
    const app = createAgentApp(h, 'console', { clock: () => t0 });
    expect(await app.actions.approveGrant('g1', '')).toBe(false);
    expect(app.stores.approvals.getState().error).toBe('You cannot approve your own request.');
  });

  it("I'm done revokes the grant and merges the answer", async () => {
    const ended = aLocalGrant({
      status: 'revoked',
      endedAt: t0 ? new Date(t0).toISOString() : null,
    });
    const { h, calls } = host({ revokeGrant: () => Promise.resolve(ok({ grant: ended })) });
    const app = createAgentApp(h, 'console', { clock: () => t0 });
    expect(await app.actions.endGrant('g1')).toBe(true);
    expect(calls).toContain('revokeGrant');
    expect(app.stores.grants.getState().grants[0]?.status).toBe('revoked');
  });
});
