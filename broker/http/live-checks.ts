/** Assertions for live broker tests: refusals that change no row, and small call helpers. */
import { afterAll, beforeAll, expect } from 'vitest';
import { grantResponseSchema, type Grant } from '../../protocol/broker-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp, tableCounts, type Answer } from './live-harness.ts';

/** Access tokens of the demo users alice (engineer), bob (approver) and carol (auditor). */
export async function demoTokens(
  idp: DemoIdp,
): Promise<{ alice: string; bob: string; carol: string }> {
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map(
      async (u) => (await obtainTestTokens(idp.issuer, u, BROKER_AUDIENCE)).accessToken,
    ),
  );
  if (!alice || !bob || !carol) throw new Error('no tokens');
  return { alice, bob, carol };
}

/** A request for the demo's approval-gated role. */
export const adminRequest = {
  role: 'prod-api-admin',
  durationSeconds: 900,
  reason: 'fix prod',
  ticket: 'INC-42',
};

/** Helpers bound to one running broker. */
export function liveChecks(broker: RunningBroker) {
  function grantOf(answer: Answer, status = 200): Grant {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    return grantResponseSchema.parse(answer.body).grant;
  }

  async function snapshot(id: string) {
    const row = await broker.db
      .selectFrom('grants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    const outbox = await broker.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const events = await broker.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      counts: await tableCounts(broker),
      row,
      outbox: Number(outbox.n),
      events: Number(events.n),
    };
  }

  /** Calls the broker expecting a refusal with `status`, `code` and a message naming the rule; asserts no row changed. */
  async function refused(
    id: string,
    request: () => Promise<Answer>,
    status: number,
    code: string,
    message: RegExp,
  ): Promise<void> {
    const before = await snapshot(id);
    const answer = await request();
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    const error = errorBodySchema.parse(answer.body).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await snapshot(id)).toEqual(before);
  }

  const post = (token: string, path: string, body: unknown = {}) =>
    call(broker, 'POST', path, token, body);

  return { grantOf, snapshot, refused, post };
}

/** One test file's live broker on a real demo IdP, with the demo users' access tokens. */
export interface LiveBroker {
  idp: DemoIdp;
  broker: RunningBroker;
  alice: string;
  bob: string;
  carol: string;
  check: ReturnType<typeof liveChecks>;
}

/** Starts an IdP and a broker before the file's tests and closes them after. */
export function useLiveBroker(): LiveBroker {
  // Filled in by beforeAll; tests read it only once it has run.
  const live = {} as LiveBroker;
  beforeAll(async () => {
    live.idp = await startTestIdp();
    live.broker = await startTestBroker(live.idp);
    Object.assign(live, await demoTokens(live.idp));
    live.check = liveChecks(live.broker);
  });
  afterAll(async () => {
    await live.broker?.close();
    await live.idp?.close();
  });
  return live;
}
