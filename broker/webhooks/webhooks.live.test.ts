/**
 * Webhooks from a live broker to a real HTTP receiver: generic JSON with a verifiable HMAC, a
 * Slack-compatible text that flags break-glass loudly, and a failed delivery retried.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { call, startTestBroker, startTestIdp, waitFor } from '../http/live-harness.ts';
import type { RunningBroker } from '../start-broker.ts';

const SECRET = 'webhook-test-secret';
let idp: DemoIdp;
let broker: RunningBroker;
let receiver: Server;
const received: {
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}[] = [];
let failNextJson = true;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      // The first JSON delivery fails: the broker must retry it.
      if (req.url === '/json' && failNextJson) {
        failNextJson = false;
        res.statusCode = 500;
        res.end();
        return;
      }
      received.push({ path: req.url ?? '', body, headers: req.headers });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.HOURGLASS_TEST_WEBHOOK_SECRET = SECRET;
  idp = await startTestIdp();
  broker = await startTestBroker(idp, {
    config: {
      webhooks: [
        { url: `${base}/json`, secretEnv: 'HOURGLASS_TEST_WEBHOOK_SECRET' },
        { url: `${base}/slack`, format: 'slack', events: ['break_glass', 'revoked'] },
      ],
    },
  });
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
  receiver?.close();
});

describe('webhooks', () => {
  it('sends signed JSON (retrying a failure) and a loud Slack text for break-glass', async () => {
    const bob = (await obtainTestTokens(idp.issuer, 'bob', BROKER_AUDIENCE)).accessToken;
    const created = await call(broker, 'POST', '/v1/requests', bob, {
      role: 'prod-api-breakglass',
      durationSeconds: 300,
      reason: 'db down, nobody answers',
      ticket: 'INC-99',
    });
    expect(created.status).toBe(201);
    const json = await waitFor(
      () => {
        const events = received
          .filter((r) => r.path === '/json')
          .map((r) => ({ ...r, parsed: JSON.parse(r.body) as { event: string } }));
        return events.length === 2 ? events : undefined;
      },
      'the JSON deliveries, the failed one retried',
      10_000,
    );
    expect(json.map((e) => e.parsed.event).sort()).toEqual(['activated', 'break_glass']);
    for (const delivery of json) {
      const mac = createHmac('sha256', SECRET)
        .update(`${String(delivery.headers['x-hourglass-timestamp'])}.${delivery.body}`)
        .digest('hex');
      expect(delivery.headers['x-hourglass-signature']).toBe(`sha256=${mac}`);
    }
    const slack = await waitFor(
      () => received.find((r) => r.path === '/slack'),
      'the Slack delivery',
    );
    const { text } = JSON.parse(slack.body) as { text: string };
    expect(text).toMatch(/^:rotating_light: \*BREAK-GLASS\* prod-api-breakglass for Bob/);
    expect(text).toContain('INC-99');
    expect(received.filter((r) => r.path === '/slack')).toHaveLength(1);
  });

  it('sends expiring before the deadline (half the time of a short grant), then expired', async () => {
    const alice = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
    const created = await call(broker, 'POST', '/v1/requests', alice, {
      role: 'prod-api-readonly',
      durationSeconds: 4,
      reason: 'short look',
    });
    expect(created.status).toBe(201);
    const { grant } = created.body as { grant: { id: string; expiresAt: string } };
    const eventsOf = () =>
      received
        .filter((r) => r.path === '/json')
        .map((r) => JSON.parse(r.body) as { event: string; at: string; grant: { id: string } })
        .filter((e) => e.grant.id === grant.id);
    const expiring = await waitFor(
      () => eventsOf().find((e) => e.event === 'expiring'),
      'the expiring webhook',
      6000,
    );
    const before = Date.parse(grant.expiresAt) - Date.parse(expiring.at);
    expect(before).toBeGreaterThan(1000);
    expect(before).toBeLessThanOrEqual(2500);
    await waitFor(() => eventsOf().find((e) => e.event === 'expired'), 'the expired webhook', 6000);
    expect(eventsOf().map((e) => e.event)).toEqual(['activated', 'expiring', 'expired']);
  });
});
