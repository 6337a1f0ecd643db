/**
 * Threat: a second local account on the machine reaches the console API without the session by
 * spelling the path so the router still matches it (`/%61pi/approveGrant`), then acts as the
 * console's user — approving a request as them breaks the two-person rule (issue 18, finding 2).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agentContract, rendererMethods, type RendererMethod } from '../../protocol/agent-api.ts';
import { errorBodySchema } from '../../protocol/errors.ts';
import { sendProbe } from '../../http-gate/raw-probe.test-support.ts';
import { startTestConsole } from './console-test-client.ts';

let dir: string;
let c: Awaited<ReturnType<typeof startTestConsole>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-console-gate-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><p>renderer</p>');
  c = await startTestConsole(join(dir, 'static'));
});
afterAll(async () => {
  await c.server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A valid input for each method, so a call that gets past the gate reaches the agent. */
const validInput: Record<RendererMethod, unknown> = {
  getStatus: {},
  beginLogin: { openBrowser: false },
  awaitLogin: { loginId: 'l1' },
  logout: {},
  listRoles: {},
  requestGrant: { role: 'prod-api-readonly', durationSeconds: 60, reason: 'on call' },
  listGrants: {},
  getSnapshot: {},
  extendGrant: { grantId: 'g-alice-1', durationSeconds: 60 },
  revokeGrant: { grantId: 'g-alice-1' },
  cancelGrant: { grantId: 'g-alice-1' },
  listApprovals: {},
  approveGrant: { grantId: 'g-alice-1', comment: 'looks fine' },
  denyGrant: { grantId: 'g-alice-1' },
  recheck: {},
};

/** A call as another local user makes it: the right Origin and Host, but no session of its own. */
const intruder = (method: string, path: string, session?: string, body: unknown = {}) =>
  sendProbe(c.server.origin, {
    method,
    path,
    headers: {
      origin: c.server.origin,
      'content-type': 'application/json',
      ...(session !== undefined ? { 'x-hourglass-session': session } : {}),
    },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });

describe('a local user without the console session is refused however the path is spelled', () => {
  const spellings = (method: string) => [
    `/%61pi/${method}`,
    `/%61PI/${method}`,
    `/a%70i/${method}`,
    `/%61%70%69/${method}`,
    `/api/%${method.charCodeAt(0).toString(16)}${method.slice(1)}`,
  ];

  it.each([...rendererMethods])(
    'no session: %s is not reached through a percent-encoded /api path',
    async (method) => {
      const body = agentContract[method].input.parse(validInput[method]);
      for (const path of spellings(method)) {
        for (const session of [undefined, 'A'.repeat(43)]) {
          const before = c.reached.length;
          const answer = await intruder('POST', path, session, body);
          expect({ path, session, status: answer.status }).toEqual({
            path,
            session,
            status: 401,
          });
          expect(JSON.parse(answer.body)).toMatchObject({
            ok: false,
            error: { code: 'unauthenticated' },
          });
          expect(c.reached.slice(before)).toEqual([]);
        }
      }
    },
  );

  it("no session: another user cannot approve the console user's pending request via /%61pi/approveGrant", async () => {
    const answer = await intruder(
      'POST',
      '/%61pi/approveGrant',
      undefined,
      validInput.approveGrant,
    );
    expect(answer.status).toBe(401);
    expect(c.reached).not.toContain('approveGrant');
  });

  it.each(['/%61pi/events', '/api/%65vents', '/%61%70%69/%65%76%65%6e%74%73'])(
    'no session: the push stream (%s) is not opened',
    async (path) => {
      const answer = await intruder('GET', path);
      expect(answer.status).toBe(401);
      expect(answer.headers['content-type']).not.toMatch(/event-stream/);
    },
  );

  it('with the session the same spellings still reach the API (the gate follows the router)', async () => {
    const session = await c.newSession();
    const answer = await intruder('POST', '/%61pi/getStatus', session);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true });
  });
});

describe('what the router refuses before routing answers in the one error body', () => {
  it.each(['/%ff', '/api/%ff', '/%61pi/%ff'])(
    '%s: 400 with code, message and request id',
    async (path) => {
      const answer = await sendProbe(c.server.origin, { method: 'GET', path });
      expect(answer.status).toBe(400);
      const body = errorBodySchema.parse(JSON.parse(answer.body));
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toMatch(/not a valid URL/);
      expect(body.error.requestId).toMatch(/^[0-9a-f]{16}$/);
      expect(answer.body).not.toContain('%ff');
    },
  );
});
