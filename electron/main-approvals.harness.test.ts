/**
 * An approver's tray: bob runs the app; alice (her own agent) asks for the approval-gated role.
 * Bob gets the "approval needed" notification and a Pending approvals ▸ entry; Approve in the
 * tray makes alice's grant active. Bob's Sign out from the window then opens the IdP's
 * end-session page through main's IdP-origin guard.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import {
  menuLabels,
  menuText,
  startAppUnderTest,
  type AppUnderTest,
} from './harness/app-driver.ts';
import { appEnvFor, pollUntil } from './harness/scenario.ts';

async function signInAgent(agent: RunningAgent, login: string): Promise<void> {
  const begun = await agent.handlers.beginLogin({ openBrowser: false });
  if (!begun.ok) throw new Error(begun.error.message);
  const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
    login,
    password: 'demo',
  });
  await fetch(callbackUrl);
  const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
  if (!done.ok) throw new Error(done.error.message);
}

describe('approving from the tray', () => {
  let stack: DemoStack;
  let alice: RunningAgent;
  let app: AppUnderTest;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hg-approve-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    alice = await startAgent(
      agentConfigForStack(stack, join(root, 'alice'), { profile: 'tray-alice' }),
      { serveLocalApi: false, keychainService: 'hourglass-tray-approvals' },
    );
    await signInAgent(alice, 'alice');
    mkdirSync(join(root, 'user-data'));
    app = startAppUnderTest({
      ...appEnvFor(stack, root),
      HOURGLASS_HOME: join(root, 'bob'),
      HOURGLASS_PROFILE: 'tray-bob',
    });
  });

  afterAll(async () => {
    await app?.stop();
    await alice?.close();
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('bob is notified, sees Pending approvals ▸ Approve / Deny, and Approve activates the grant', async () => {
    await app.waitFor('the tray', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Not signed in')),
    );
    await app.command({ cmd: 'click-menu', path: ['Sign in…'] });
    const page = await app.waitFor('the sign-in page', () =>
      app.records.find((r) => r.kind === 'shell' && r.url.startsWith(stack.issuer)),
    );
    if (page.kind !== 'shell') throw new Error('unreachable');
    const { callbackUrl } = await completeIdpLogin(page.url, { login: 'bob', password: 'demo' });
    await fetch(callbackUrl);
    await app.waitFor('bob signed in', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Signed in as Bob')),
    );

    const asked = await alice.handlers.requestGrant({
      role: 'prod-api-admin',
      durationSeconds: 900,
      reason: 'INC-3 rotate key',
      ticket: 'INC-3',
    });
    if (!asked.ok) throw new Error(asked.error.message);
    expect(asked.value.grant.status).toBe('pending');

    await app.waitFor('the approval entry', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Pending approvals (1)')),
    );
    const notice = await app.waitFor('the approval notification', () =>
      app.records.find((r) => r.kind === 'notification' && r.actions.includes('Approve')),
    );
    process.stdout.write(
      `\n── approver's tray ──\n${menuText(app.menu())}\n── notification ──\n${JSON.stringify(notice)}\n`,
    );
    expect(app.records).toContainEqual(
      expect.objectContaining({ kind: 'tray', op: 'image', file: 'tray-pending.png' }),
    );
    await app.command({
      cmd: 'click-menu',
      path: ['Pending approvals (1)', 'Alice', 'Approve'],
    });
    await pollUntil("alice's grant active", async () => {
      const grants = await alice.handlers.listGrants({});
      const grant = grants.ok && grants.value.grants.find((g) => g.id === asked.value.grant.id);
      return grant ? grant.status === 'active' : false;
    });
    await app.waitFor('the emptied approvals', () =>
      menuLabels(app.menu()).every((l) => !l.startsWith('Pending approvals')) ? true : undefined,
    );
  });

  it("signing out from the window opens the IdP's end-session page in the browser, as the tray does", async () => {
    const opened = () =>
      app.records.flatMap((r) => (r.kind === 'shell' && r.op === 'openExternal' ? [r.url] : []));
    const before = opened().length;
    // What the window's Sign out sends (the renderer opens no browser in the app).
    const answer = await app.invoke('hourglass:logout', { endGrants: false });
    expect(answer).toMatchObject({ ok: true });
    const page = await app.waitFor('the end-session page', () => opened().slice(before)[0]);
    const url = new URL(page);
    expect(url.origin).toBe(new URL(stack.issuer).origin);
    expect(url.pathname).toMatch(/session\/end|logout/);
    await app.waitFor('the signed-out tray', () =>
      menuLabels(app.menu()).find((l) => l.startsWith('Not signed in')),
    );
  });
});
