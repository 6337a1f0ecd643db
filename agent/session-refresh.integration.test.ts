import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import type { RunningAgent } from './host.ts';
import { startAgent } from './host.ts';
import { randomUUID } from 'node:crypto';
import { createKeychainVault, SESSION_ACCOUNT } from './keychain.vault.ts';
import { keychainScope, scopeAccountPrefix } from './keychain-scope.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';

// Real IdP + broker + gnome-keyring; only the agent's clock is moved, to make its access token stale.
describe('session refresh', () => {
  let stack: DemoStack;
  let agent: RunningAgent;
  let skewMs = 0;
  // Its own keychain service, so the walking skeleton running in parallel never sees these items.
  const service = `hourglass-refresh-${randomUUID().slice(0, 8)}`;
  const root = mkdtempSync(join(tmpdir(), 'hg-refresh-'));
  const dataDir = join(root, 'agent');
  // The items of this data dir (a data dir outside the standard one has its own item names).
  const scope = keychainScope(dataDir, undefined);
  const vault = createKeychainVault(service, scope);

  beforeAll(async () => {
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    agent = await startAgent(agentConfigForStack(stack, dataDir, { warnBeforeSeconds: [] }), {
      clock: { now: () => Date.now() + skewMs },
      serveLocalApi: false,
      keychainService: service,
    });
    const begun = await agent.handlers.beginLogin({ openBrowser: false });
    if (!begun.ok) throw new Error(begun.error.message);
    const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
      login: 'alice',
      password: 'demo',
    });
    await fetch(callbackUrl);
    const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
    if (!done.ok) throw new Error(done.error.message);
  });

  afterAll(async () => {
    await agent?.close();
    await stack?.close();
  });

  it('refreshes once for concurrent callers and keeps only the rotated refresh token in the keychain', async () => {
    const before = await vault.read(SESSION_ACCOUNT);
    expect(before.ok && before.value).toBeTruthy();
    skewMs = 2 * 3600_000;
    // Were refresh not single-flight, the rotated token would be reused and the IdP would revoke the session.
    const results = await Promise.all([1, 2, 3].map(() => agent.handlers.listRoles({})));
    for (const r of results) expect(r).toMatchObject({ ok: true });
    const after = await vault.read(SESSION_ACCOUNT);
    expect(after.ok && after.value).toBeTruthy();
    expect(after.ok && before.ok && after.value !== before.value).toBe(true);
    expect(await agent.handlers.getStatus({})).toMatchObject({
      ok: true,
      value: { loggedIn: true },
    });
  });

  it('reports not signed in once the session item is gone', async () => {
    await agent.handlers.logout({});
    skewMs += 2 * 3600_000;
    expect(await agent.handlers.listRoles({})).toMatchObject({
      ok: false,
      error: { code: 'not_logged_in' },
    });
    const listing = spawnSync('secret-tool', ['search', '--all', 'service', service], {
      encoding: 'utf8',
    });
    expect(`${listing.stdout}${listing.stderr}`).not.toContain(
      `attribute.username = ${scopeAccountPrefix(scope)}session`,
    );
  });
});
