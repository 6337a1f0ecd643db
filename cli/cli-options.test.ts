import { describe, expect, it } from 'vitest';
import type { AgentHandlers, Result } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { runCli } from './main.ts';

/** A fake agent: records every call; answers `overrides`, else "unavailable". */
function fakeAgent(overrides: Partial<Record<string, (input: unknown) => Result<unknown>>>) {
  const calls: { method: string; input: unknown }[] = [];
  const handlers = new Proxy(
    {},
    {
      get: (_t, method: string) => (input: unknown) => {
        calls.push({ method, input });
        const answer = overrides[method];
        return Promise.resolve(answer ? answer(input) : fail('unavailable', 'not in this test'));
      },
    },
  ) as AgentHandlers;
  return { handlers, calls };
}

async function run(argv: string[], agent: ReturnType<typeof fakeAgent>) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: {},
    connect: () => Promise.resolve(ok(agent.handlers)),
    runAgent: () => Promise.resolve(0),
  });
  return { code, out, err };
}

describe('request and extend pass what the user gave, and the broker decides', () => {
  it('optional reason: request without --reason reaches the broker with no reason (it decides)', async () => {
    const agent = fakeAgent({
      requestGrant: () => fail('policy_violation', 'ro needs a reason; say why you need access'),
    });
    const r = await run(['request', 'audit', '--for', '15m'], agent);
    const asked = agent.calls.find((c) => c.method === 'requestGrant');
    expect(asked?.input).toEqual({ role: 'audit', durationSeconds: 900 });
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/needs a reason/);
  });

  it('request with --reason still sends it', async () => {
    const agent = fakeAgent({});
    await run(['request', 'ro', '--for', '15m', '--reason', 'INC-1 debugging'], agent);
    expect(agent.calls.find((c) => c.method === 'requestGrant')?.input).toEqual({
      role: 'ro',
      durationSeconds: 900,
      reason: 'INC-1 debugging',
    });
  });

  it('lost audit reason: extend <grant> --reason x is accepted and the reason is sent', async () => {
    const agent = fakeAgent({
      listGrants: () => ok({ grants: [] }),
      listRoles: () => ok({ roles: [] }),
    });
    const r = await run(['extend', 'g-1', '--for', '30m', '--reason', 'migration overran'], agent);
    expect(r.err).not.toMatch(/too many arguments/);
    expect(agent.calls.find((c) => c.method === 'extendGrant')?.input).toEqual({
      grantId: 'g-1',
      durationSeconds: 1800,
      reason: 'migration overran',
    });
  });

  it('misspelled role: an unknown role gets "did you mean" the closest names the user may request', async () => {
    const agent = fakeAgent({
      requestGrant: () =>
        fail('not_found', 'no role named "prod-api-readonyl" is available to you'),
      listRoles: () => ok({ roles: [{ name: 'prod-api-readonly' }, { name: 'prod-db-admin' }] }),
    });
    const r = await run(['request', 'prod-api-readonyl', '--for', '15m'], agent);
    expect(r.err).toMatch(/Did you mean `prod-api-readonly`\?/);
    expect(r.err).not.toContain('prod-db-admin');
    const json = await run(['--json', 'request', 'prod-api-readonyl', '--for', '15m'], agent);
    expect(JSON.parse(json.out)).toMatchObject({
      error: { code: 'not_found', message: expect.stringMatching(/Did you mean/) as string },
    });
  });

  it('json contract broken: --json env asks for the json shell (same as env --shell json)', async () => {
    const agent = fakeAgent({
      exportGrant: () => ok({ script: '{"PGHOST": "db"}\n', expiresAt: '2030-01-01T00:00:00Z' }),
    });
    const r = await run(['--json', 'env', 'ro'], agent);
    expect(agent.calls.find((c) => c.method === 'exportGrant')?.input).toEqual({
      role: 'ro',
      shell: 'json',
    });
    expect(JSON.parse(r.out)).toEqual({ PGHOST: 'db' });
  });

  it('extend --help says the new deadline counts from now', async () => {
    const r = await run(['extend', '--help'], fakeAgent({}));
    expect(r.out).toMatch(/new deadline: this long from now/);
  });
});
