/** Test harness: the real demo IdP plus a live broker on 127.0.0.1, and small HTTP helpers. */
import { join } from 'node:path';
import { startDemoIdp, type DemoIdp } from '../../demo/idp.ts';
import { DEMO_POLICY_PATH, BROKER_AUDIENCE } from '../../demo/stack.ts';
import { parseBrokerConfig, type BrokerConfigInput } from '../config.ts';
import type { Clock } from '../ports.ts';
import { startBroker, type RunningBroker } from '../start-broker.ts';
import { freshPgUrl, TEST_BACKEND, tempDir } from '../test-support.ts';

/** Starts a broker trusting `idp`, with its own temp database and key. */
export async function startTestBroker(
  idp: DemoIdp,
  opts: { clock?: Clock; rateLimitPerMinute?: number; config?: Partial<BrokerConfigInput> } = {},
): Promise<RunningBroker> {
  const dir = tempDir();
  const config = parseBrokerConfig({
    // As the demo broker: only the IdP's RFC 9068 access tokens (`typ: at+jwt`).
    issuers: [{ issuer: idp.issuer, audience: BROKER_AUDIENCE, accessTokenType: 'at+jwt' }],
    policyPath: DEMO_POLICY_PATH,
    databasePath: join(dir, 'broker.sqlite'),
    signingKeyPath: join(dir, 'signing.jwk'),
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
    ...(TEST_BACKEND === 'postgres' ? { databaseUrl: await freshPgUrl() } : {}),
    ...opts.config,
  });
  if (config.status === 'error') throw new Error(config.message);
  return startBroker(config.config, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    onInternalError: (error) => {
      throw error;
    },
  });
}

/** Starts the demo IdP for tests (optionally with short sign-ins). */
export function startTestIdp(opts: { sessionTtlSeconds?: number } = {}): Promise<DemoIdp> {
  return startDemoIdp({ brokerAudience: BROKER_AUDIENCE, ...opts });
}

/** Polls `check` until it returns a value (not undefined) or `ms` pass; never a fixed sleep. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 3000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A parsed broker answer. */
export interface Answer {
  status: number;
  body: unknown;
}

/** Calls the broker with an optional bearer token and a JSON (or raw string) body. */
export async function call(
  broker: { url: string },
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${broker.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the raw text; the test will show it
  }
  return { status: response.status, body: parsed };
}

/** Rows in the grants and audit tables. */
export async function tableCounts(
  broker: Pick<RunningBroker, 'db'>,
): Promise<{ grants: number; audit: number }> {
  const grants = await broker.db
    .selectFrom('grants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const audit = await broker.db
    .selectFrom('audit')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { grants: Number(grants.n), audit: Number(audit.n) };
}
