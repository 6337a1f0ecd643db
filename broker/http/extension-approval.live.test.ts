import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsResponseSchema, grantResponseSchema } from '../../protocol/broker-api.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { tempDir } from '../test-support.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp } from './live-harness.ts';
import { demoTokens, liveChecks } from './live-checks.ts';
import { openSse, type SseStream } from './sse-test-client.ts';
import { waitFor } from './live-harness.ts';

// A role whose extensions need an approver: the extension waits, the grant keeps running.
const POLICY = `tenant: t
roles:
  - name: gated-ext
    provider: { kind: jwt, audience: https://api }
    eligible: { groups: [engineers] }
    maxDuration: 30m
    approval: { required: 0, from: [approvers], requestTtl: 5m }
    extension: { maxCount: 1, requireApproval: true }
`;

let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let bob: string;
let check: ReturnType<typeof liveChecks>;
let bobStream: SseStream;

beforeAll(async () => {
  const policyPath = join(tempDir(), 'policy.yaml');
  writeFileSync(policyPath, POLICY);
  idp = await startTestIdp();
  broker = await startTestBroker(idp, { config: { policyPath } });
  ({ alice, bob } = await demoTokens(idp));
  check = liveChecks(broker);
  bobStream = await openSse(`${broker.url}/v1/events`, bob);
});
afterAll(async () => {
  bobStream?.close();
  await broker?.close();
  await idp?.close();
});

describe('an extension that needs approval (live broker, real IdP tokens)', () => {
  it('waits in the approvers’ inbox while the grant runs on; the approval extends from then', async () => {
    const grant = check.grantOf(
      await check.post(alice, '/v1/requests', {
        role: 'gated-ext',
        durationSeconds: 600,
        reason: 'r',
      }),
      201,
    );
    expect(grant.extension).toMatchObject({ remainingCount: 1, requiresApproval: true });
    const asked = check.grantOf(
      await check.post(alice, `/v1/grants/${grant.id}/extend`, { durationSeconds: 1200 }),
    );
    expect(asked).toMatchObject({ status: 'active', expiresAt: grant.expiresAt });
    expect(asked.pendingExtension).toMatchObject({ durationSeconds: 1200, approvals: [] });
    await check.refused(
      grant.id,
      () => check.post(alice, `/v1/grants/${grant.id}/extend`, { durationSeconds: 1200 }),
      409,
      'invalid_state',
      /already waits/,
    );
    await check.refused(
      grant.id,
      () => check.post(alice, `/v1/grants/${grant.id}/approve`),
      403,
      'not_approver',
      /own request/,
    );

    const inbox = approvalsResponseSchema.parse(
      (await call(broker, 'GET', '/v1/approvals', bob)).body,
    );
    expect(inbox.approvals).toEqual([
      expect.objectContaining({
        kind: 'extension',
        durationSeconds: 1200,
        waitsUntil: asked.pendingExtension?.expiresAt,
      }),
    ]);
    const pushed = await waitFor(
      () =>
        bobStream.frames.find(
          (f) => f.event === 'grant' && (f.data ?? '').includes('"extension_requested"'),
        ),
      'bob’s extension_requested event',
    );
    expect(pushed.id).toMatch(/^[0-9]+$/);

    const answer = await check.post(bob, `/v1/grants/${grant.id}/approve`, { comment: 'fine' });
    const extended = check.grantOf(answer);
    const { now } = grantResponseSchema.parse(answer.body);
    expect(extended.pendingExtension).toBeNull();
    expect(Date.parse(extended.expiresAt ?? '') - Date.parse(now)).toBe(1_200_000);
    // The budget is charged with how far the deadline moved (from 10 minutes to 20 from now).
    const moved = Math.floor(
      (Date.parse(extended.expiresAt ?? '') - Date.parse(grant.expiresAt ?? '')) / 1000,
    );
    expect(moved).toBeLessThan(1200);
    expect(extended.extension).toMatchObject({
      usedCount: 1,
      usedSeconds: moved,
      remainingCount: 0,
      maxEachSeconds: 0,
    });
    expect(
      approvalsResponseSchema.parse((await call(broker, 'GET', '/v1/approvals', bob)).body)
        .approvals,
    ).toEqual([]);
    await check.refused(
      grant.id,
      () => check.post(alice, `/v1/grants/${grant.id}/extend`, { durationSeconds: 1800 }),
      409,
      'budget_exhausted',
      /all 1 extension/,
    );
  });
});
