/**
 * Threat: the broker's database going away mid-flight. A 500 tells a client nothing (and an
 * operator's alert sees a bug); a half-written grant would hand out access nobody audited. With
 * its PostgreSQL unreachable (a TCP proxy in between, cut by the test) the broker answers 503 with
 * `Retry-After`, writes nothing, and the client's retry with the same `Idempotency-Key` after the
 * database is back makes exactly one grant (SECURITY.md requirements 20, 21 and 28).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../protocol/errors.ts';
import { grantResponseSchema } from '../../protocol/broker-api.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { parseBrokerConfig } from '../config.ts';
import { startBroker, type RunningBroker } from '../start-broker.ts';
import { freshPgDatabaseUrl, tempDir } from '../test-support.ts';
import { startTestIdp, tableCounts } from './live-harness.ts';

/** A TCP proxy to `target` that the test can cut (every connection dropped, new ones refused). */
async function startCuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    port: () => port,
    cut: async () => {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
  };
}

let idp: DemoIdp;
let broker: RunningBroker;
let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
let token: string;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  idp = await startTestIdp();
  const real = new URL(await freshPgDatabaseUrl());
  proxy = await startCuttableProxy({ host: real.hostname, port: Number(real.port) });
  const viaProxy = new URL(real.href);
  viaProxy.host = `127.0.0.1:${proxy.port()}`;
  const dir = tempDir();
  const config = parseBrokerConfig({
    issuers: [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }],
    policyPath: DEMO_POLICY_PATH,
    signingKeyPath: join(dir, 'signing.jwk'),
    databaseUrl: viaProxy.href,
    rateLimitPerMinute: 10_000,
  });
  if (config.status === 'error') throw new Error(config.message);
  // Background work (expiry, outbox) also meets the outage; only request handling is under test.
  broker = await startBroker(config.config, { onInternalError: (e) => internalErrors.push(e) });
  token = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
}, 60_000);

afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

const request = (key: string) =>
  fetch(`${broker.url}/v1/requests`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ role: 'prod-api-readonly', durationSeconds: 60, reason: 'db down' }),
  });

describe("the broker's database down", () => {
  it('answers 503 with Retry-After and writes no partial grant; the retry makes exactly one', async () => {
    await proxy.cut();
    for (const answer of [
      await request('retry-after-the-outage-1'),
      await fetch(`${broker.url}/v1/grants`, { headers: { authorization: `Bearer ${token}` } }),
    ]) {
      const body = errorBodySchema.parse(await answer.json());
      expect(answer.status, body.error.message).toBe(503);
      expect(body.error.code).toBe('unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    await proxy.restore();
    expect(await tableCounts(broker)).toEqual({ grants: 0, audit: 0 });
    const retried = await request('retry-after-the-outage-1');
    expect(retried.status).toBe(201);
    grantResponseSchema.parse(await retried.json());
    const again = await request('retry-after-the-outage-1');
    expect([200, 201]).toContain(again.status);
    expect((await tableCounts(broker)).grants).toBe(1);
  });
});
