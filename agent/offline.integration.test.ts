import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from './deadline-harness.ts';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import type { AgentPush, AgentSnapshot } from '../protocol/index.ts';
import type { RunningAgent } from './host.ts';
import { startAgent } from './host.ts';

// Real IdP + broker + gnome-keyring; then the whole stack goes away.
describe('offline: the broker and IdP unreachable', () => {
  let stack: DemoStack | null;
  let agent: RunningAgent;
  const pushes: AgentPush[] = [];

  const snapshotWhere = async (test: (s: AgentSnapshot) => boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const found = pushes.flatMap((p) => (p.type === 'snapshot' ? [p.snapshot] : [])).find(test);
      if (found) return found;
      if (Date.now() > until) throw new Error('timed out waiting for a snapshot');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'hg-offline-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    agent = await startAgent(agentConfigForStack(stack, join(root, 'agent')), {
      serveLocalApi: false,
      reconnectBaseDelayMs: 50,
    });
    agent.subscribe((push) => pushes.push(push));
    await signIn(agent.handlers, 'alice');
  }, 30_000);

  afterAll(async () => {
    await agent?.handlers.logout({});
    await agent?.close();
    await stack?.close();
  });

  it('keeps showing and exporting what the device holds, marked offline', async () => {
    const asked = await agent.handlers.requestGrant({
      role: 'prod-api-readonly',
      durationSeconds: 900,
      reason: 'INC-12 offline',
    });
    if (!asked.ok) throw new Error(asked.error.message);
    const grantId = asked.value.grant.id;
    await snapshotWhere((s) => s.connection.state === 'online');

    await stack?.close();
    stack = null;
    const offline = await snapshotWhere((s) => s.connection.state === 'offline');
    expect(offline.connection.message).toMatch(/unreachable|closed/);
    expect(offline.grants).toEqual([
      expect.objectContaining({ id: grantId, status: 'active', credentialStored: true }),
    ]);
    expect(await agent.handlers.listGrants({})).toMatchObject({
      ok: false,
      error: { code: 'broker_unreachable' },
    });
    const snapshot = await agent.handlers.getSnapshot({});
    expect(snapshot.ok && snapshot.value.grants.map((g) => g.id)).toEqual([grantId]);
    // Valid credentials keep working until their deadline (SECURITY.md 13).
    const exported = await agent.handlers.exportGrant({ role: 'prod-api-readonly', shell: 'bash' });
    expect(exported.ok).toBe(true);
  }, 30_000);
});
