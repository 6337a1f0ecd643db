import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../broker/http/live-harness.ts';
import { startDemoStack } from '../demo/stack.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { signIn } from './deadline-harness.ts';
import { startAgent } from './host.ts';
import { createKeychainVault, SESSION_ACCOUNT } from './keychain.vault.ts';
import { keychainScope } from './keychain-scope.ts';

// Real IdP + broker + gnome-keyring: sign-out revokes the refresh token at the IdP (RFC 7009), and
// says so honestly when the IdP cannot be reached.
async function signedInAgent() {
  const root = mkdtempSync(join(tmpdir(), 'hg-logout-'));
  const stack = await startDemoStack({ dataDir: join(root, 'stack') });
  const service = `hourglass-logout-${randomUUID().slice(0, 8)}`;
  const dataDir = join(root, 'agent');
  const agent = await startAgent(agentConfigForStack(stack, dataDir), {
    serveLocalApi: false,
    keychainService: service,
  });
  await signIn(agent.handlers, 'alice');
  const item = await createKeychainVault(service, keychainScope(dataDir, undefined)).read(
    SESSION_ACCOUNT,
  );
  const refreshToken =
    item.ok && item.value ? (JSON.parse(item.value) as { refreshToken: string }).refreshToken : '';
  return { stack, agent, refreshToken };
}

describe('sign-out at the IdP', () => {
  it('revokes the refresh token: the IdP refuses it afterwards', async () => {
    const { stack, agent, refreshToken } = await signedInAgent();
    expect(refreshToken.length).toBeGreaterThan(20);
    const out = await agent.handlers.logout({});
    expect(out).toMatchObject({ ok: true, value: { idpRevocation: 'revoked' } });
    const config = await client.discovery(
      new URL(stack.issuer),
      stack.clientId,
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    await expect(client.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await agent.close();
    await stack.close();
  });

  it('the ID token goes only to the browser, never into the answer printed (threat: ID token in scrollback, finding 11)', async () => {
    const { stack, agent } = await signedInAgent();
    const dir = mkdtempSync(join(tmpdir(), 'hg-browser-'));
    const opened = join(dir, 'opened');
    const browser = join(dir, 'browser');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    const before = process.env.BROWSER;
    process.env.BROWSER = browser;
    try {
      const out = await agent.handlers.logout({ openBrowser: true });
      if (!out.ok) throw new Error(out.error.message);
      const printed = out.value.endSessionUrl ?? '';
      const shown = new URL(printed);
      expect(shown.origin).toBe(new URL(stack.issuer).origin);
      expect(shown.searchParams.get('client_id')).toBe(stack.clientId);
      expect(shown.searchParams.has('id_token_hint')).toBe(false);
      expect(JSON.stringify(out.value)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      const browserUrl = new URL(
        await waitFor(
          () => (existsSync(opened) ? readFileSync(opened, 'utf8') : undefined),
          'the browser to be opened',
        ),
      );
      expect(browserUrl.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    } finally {
      if (before === undefined) delete process.env.BROWSER;
      else process.env.BROWSER = before;
      await agent.close();
      await stack.close();
    }
  });

  // Closing the stack while the agent holds its event stream: the broker once hung on close when
  // the agent reconnected on a kept-alive socket mid-close (now refused with 503 while closing).
  it('the IdP down: signs out on this device and reports the revocation failed', async () => {
    const { stack, agent } = await signedInAgent();
    await stack.close();
    const out = await agent.handlers.logout({});
    expect(out).toMatchObject({ ok: true, value: { idpRevocation: 'failed' } });
    expect(await agent.handlers.getStatus({})).toMatchObject({
      ok: true,
      value: { loggedIn: false },
    });
    await agent.close();
  });
});
