import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import type { AgentConfig } from './config.ts';
import type { RunningAgent } from './host.ts';
import { startAgent } from './host.ts';
import { openGrantStore } from './grant-store.ts';

// Real IdP + broker + gnome-keyring: signing in as someone else on the same profile.
const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;

describe('session: a different subject, and signing in again', () => {
  let stack: DemoStack;
  let agent: RunningAgent;
  let config: AgentConfig;

  const signIn = async (user: string) => {
    const begun = await agent.handlers.beginLogin({ openBrowser: false });
    if (!begun.ok) throw new Error(begun.error.message);
    const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
      login: user,
      password: 'demo',
    });
    await fetch(callbackUrl);
    const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
    if (!done.ok) throw new Error(done.error.message);
  };
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOURGLASS_HOME: config.dataDir,
      };
      execFile(process.execPath, [BIN, ...args], { env, cwd: tmpdir() }, (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
      );
    });

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'hg-subject-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    config = agentConfigForStack(stack, join(root, 'agent'));
    agent = await startAgent(config);
  }, 30_000);

  afterAll(async () => {
    await agent?.handlers.logout({});
    await agent?.close();
    await stack?.close();
  });

  it("wipes alice's secrets when bob signs in, and never exports them to bob", async () => {
    await signIn('alice');
    const asked = await agent.handlers.requestGrant({
      role: 'prod-api-readonly',
      durationSeconds: 900,
      reason: 'INC-11 alice reads',
    });
    if (!asked.ok) throw new Error(asked.error.message);
    const grantId = asked.value.grant.id;
    expect(
      (await agent.handlers.exportGrant({ role: 'prod-api-readonly', shell: 'bash' })).ok,
    ).toBe(true);

    await signIn('bob');
    const record = openGrantStore(config.dataDir).get(grantId);
    expect(record).toMatchObject({
      subject: 'alice',
      credentialStored: false,
      wipedAt: expect.any(String),
    });
    const exported = await agent.handlers.exportGrant({ role: 'prod-api-readonly', shell: 'bash' });
    expect(exported).toMatchObject({ ok: false, error: { code: 'grant_not_active' } });
    const snapshot = await agent.handlers.getSnapshot({});
    expect(snapshot.ok && snapshot.value.status.user?.subject).toBe('bob');
    expect(snapshot.ok && snapshot.value.grants.map((g) => g.id)).not.toContain(grantId);
  }, 30_000);

  it("signing in again delivers alice's held-back receipt, and env fetches her still-active grant", async () => {
    await signIn('alice');
    // The wipe receipt waited for alice (only the owner's device may report it).
    const listed = await agent.handlers.listGrants({});
    const grant = listed.ok
      ? listed.value.grants.find((g) => g.role === 'prod-api-readonly')
      : undefined;
    expect(grant).toMatchObject({
      status: 'active',
      credentialStored: false,
      wipeState: 'wiped',
      wipe: { trigger: 'subject_changed', items: ['keychain'] },
    });
    const env = await cli('env', 'prod-api-readonly', '--shell', 'bash');
    expect(env.code).toBe(0);
    expect(env.stdout).toContain('export HOURGLASS_TOKEN=');
    expect(env.stderr).toMatch(
      /^hourglass: fetched your active prod-api-readonly grant \S+ onto this device/,
    );
    // Held now: the next export says nothing.
    const again = await cli('env', 'prod-api-readonly', '--shell', 'bash');
    expect(again).toMatchObject({ code: 0, stderr: '' });
  }, 30_000);

  it("wipes alice's secrets when bob signs in while the broker is down (subject from the ID token)", async () => {
    const held = openGrantStore(config.dataDir)
      .list()
      .filter((r) => r.credentialStored && r.wipedAt === null);
    expect(held.map((r) => r.subject)).toEqual(['alice']);
    await agent.close();
    agent = await startAgent(
      { ...config, brokerUrl: 'http://127.0.0.1:9' },
      { serveLocalApi: false },
    );
    const begun = await agent.handlers.beginLogin({ openBrowser: false });
    if (!begun.ok) throw new Error(begun.error.message);
    const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
      login: 'bob',
      password: 'demo',
    });
    await fetch(callbackUrl);
    const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
    expect(done).toMatchObject({ ok: false, error: { code: 'broker_unreachable' } });
    const after = openGrantStore(config.dataDir).get(held[0]?.id ?? '');
    expect(after).toMatchObject({ credentialStored: false, wipedAt: expect.any(String) });
    expect(
      await agent.handlers.exportGrant({ role: 'prod-api-readonly', shell: 'bash' }),
    ).toMatchObject({
      ok: false,
    });
  }, 30_000);
});
