import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../protocol/errors.ts';
import { grantResponseSchema } from '../../protocol/broker-api.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import type { RunningBroker } from '../start-broker.ts';
import { call, startTestBroker, startTestIdp, tableCounts } from './live-harness.ts';

let idp: DemoIdp;
let broker: RunningBroker;
let token: string;

beforeAll(async () => {
  idp = await startTestIdp();
  broker = await startTestBroker(idp);
  token = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
});
afterAll(async () => {
  await broker?.close();
  await idp?.close();
});

const good = { role: 'prod-api-readonly', durationSeconds: 60, reason: 'on call' };

describe('refused requests change nothing', () => {
  it.each([
    ['unknown role', { ...good, role: 'root' }, 404, 'not_found', /no role named "root"/],
    [
      'role the caller is not eligible for',
      { ...good, role: 'audit-reader' },
      404,
      'not_found',
      /no role named "audit-reader"/,
    ],
    [
      'over the role maximum',
      { ...good, durationSeconds: 3601 },
      400,
      'policy_violation',
      /at most 1h \(3600s\)/,
    ],
    ['missing reason', { ...good, reason: '' }, 400, 'policy_violation', /needs a reason/],
    [
      'ticket not matching',
      { role: 'prod-api-admin', durationSeconds: 60, reason: 'x', ticket: 'nope' },
      400,
      'policy_violation',
      /INC/,
    ],
    ['malformed JSON', '{"role": ', 400, 'bad_request', /not valid JSON/],
    ['extra body field', { ...good, admin: true }, 400, 'bad_request', /unknown field\(s\) admin/],
    ['wrong type', { ...good, durationSeconds: '60' }, 400, 'bad_request', /durationSeconds/],
    [
      'missing field',
      { role: 'prod-api-readonly', reason: 'x' },
      400,
      'bad_request',
      /durationSeconds: is required/,
    ],
    [
      'fractional seconds',
      { ...good, durationSeconds: 1.5 },
      400,
      'bad_request',
      /durationSeconds/,
    ],
    ['array body', '[1,2]', 400, 'bad_request', /request body/],
    ['empty body', '', 400, 'bad_request', /request body/],
    [
      '__proto__ smuggling',
      '{"role":"prod-api-readonly","durationSeconds":60,"reason":"x","__proto__":{"admin":true}}',
      400,
      'bad_request',
      /forbidden __proto__/,
    ],
  ])('%s', async (_name, body, status, code, message) => {
    const before = await tableCounts(broker);
    const answer = await call(broker, 'POST', '/v1/requests', token, body);
    expect(answer.status).toBe(status);
    const error = errorBodySchema.parse(answer.body).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await tableCounts(broker)).toEqual(before);
  });

  it('a good request does change the tables (the counter above can see changes)', async () => {
    const before = await tableCounts(broker);
    const answer = await call(broker, 'POST', '/v1/requests', token, good);
    expect(grantResponseSchema.parse(answer.body).grant.status).toBe('active');
    expect(await tableCounts(broker)).toEqual({
      grants: before.grants + 1,
      audit: before.audit + 2,
    });
  });

  it('unknown routes and bad ids answer 404/400 in the same body', async () => {
    expect(
      errorBodySchema.parse((await call(broker, 'GET', '/v2/nothing', token)).body).error.code,
    ).toBe('not_found');
    expect(
      errorBodySchema.parse((await call(broker, 'GET', '/v1/grants/not%20an%20id', token)).body)
        .error.code,
    ).toBe('bad_request');
    expect((await call(broker, 'GET', '/v1/grants/unknownid', token)).status).toBe(404);
  });

  it('an oversized body is a 400, not a crash', async () => {
    const answer = await call(broker, 'POST', '/v1/requests', token, {
      ...good,
      reason: 'x'.repeat(20_000),
    });
    expect(answer.status).toBe(400);
    expect(errorBodySchema.parse(answer.body).error.code).toBe('bad_request');
  });
});

function randomValue(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * (depth > 2 ? 6 : 9));
  const strings = [
    '',
    'prod-api-readonly',
    'audit-reader',
    'INC-1',
    '🙂',
    'a'.repeat(600),
    '<script>',
    '-1',
    '1e309',
  ];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return [0, -1, 1, 60, 3600, 3601, 1.5, Infinity, Number.MAX_SAFE_INTEGER, 31 * 86400 + 1][
        Math.floor(rand() * 10)
      ];
    case 3:
      return strings[Math.floor(rand() * strings.length)];
    case 4:
      return Math.floor(rand() * 100000) - 50000;
    case 5:
      return undefined;
    case 6:
      return [randomValue(rand, depth + 1), randomValue(rand, depth + 1)];
    default: {
      const keys = [
        'role',
        'durationSeconds',
        'reason',
        'ticket',
        'extra',
        '__proto__',
        'constructor',
      ];
      const obj: Record<string, unknown> = {};
      for (const key of keys) if (rand() < 0.6) obj[key] = randomValue(rand, depth + 1);
      return obj;
    }
  }
}

describe('fuzzing POST /v1/requests', () => {
  it('never answers 5xx and always answers a grant or the error body', async () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const rawBodies = ['{', 'null', '"x"', '1', '{"role":', '\u0000', '{"a":1}}', '[]', 'true'];
    for (let i = 0; i < 300; i += 1) {
      const body =
        i % 10 === 0 ? rawBodies[i % rawBodies.length] : JSON.stringify(randomValue(rand) ?? null);
      const answer = await call(broker, 'POST', '/v1/requests', token, body);
      expect(answer.status, `body ${String(body).slice(0, 200)}`).toBeLessThan(500);
      if (answer.status === 201) grantResponseSchema.parse(answer.body);
      else errorBodySchema.parse(answer.body);
    }
  });
});

describe('fuzzing the grant command routes', () => {
  it('never answers 5xx on approve, deny, cancel, extend, revoke and wiped, whatever the body', async () => {
    const created = await call(broker, 'POST', '/v1/requests', token, {
      role: 'prod-api-admin',
      durationSeconds: 60,
      reason: 'fuzz',
      ticket: 'INC-1',
    });
    const id = grantResponseSchema.parse(created.body).grant.id;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const commands = ['approve', 'deny', 'cancel', 'extend', 'revoke', 'wiped', 'credentials'];
    const keys = ['comment', 'reason', 'durationSeconds', 'wipedAt', 'trigger', 'items', 'x'];
    for (let i = 0; i < 200; i += 1) {
      const command = commands[i % commands.length] ?? 'approve';
      const body: Record<string, unknown> = {};
      for (const key of keys) if (rand() < 0.4) body[key] = randomValue(rand);
      const target = i % 9 === 0 ? 'AAAAAAAAAAAAAAAAAAAAAA' : id;
      const answer = await call(broker, 'POST', `/v1/grants/${target}/${command}`, token, body);
      expect(answer.status, `${command} ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(500);
      if (answer.status >= 400) errorBodySchema.parse(answer.body);
    }
  });
});
