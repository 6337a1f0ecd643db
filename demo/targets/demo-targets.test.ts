import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatExport } from '../../agent/export-format.ts';
import { waitFor } from '../../broker/http/live-harness.ts';
import {
  credentialsResponseSchema,
  grantResponseSchema,
  jwtCredentialSchema,
  postgresCredentialSchema,
} from '../../protocol/index.ts';
import { obtainTestTokens } from '../idp-login-driver.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH, startDemoStack, type DemoStack } from '../stack.ts';
import {
  DEMO_AWS_REGION,
  startDemoTargets,
  writeTargetsPolicy,
  type DemoTargets,
} from './demo-targets.ts';

const run = promisify(execFile);
// Debian's awscli first (another install may sit earlier on PATH).
const AWS = ['/usr/bin/aws', '/usr/local/bin/aws'].find((p) => existsSync(p)) ?? null;
let targets: DemoTargets;
let stack: DemoStack;
let alice: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-demo-targets-'));
  targets = await startDemoTargets();
  const policyPath = join(dir, 'policy.yaml');
  writeTargetsPolicy(DEMO_POLICY_PATH, policyPath);
  stack = await startDemoStack({
    dataDir: join(dir, 'stack'),
    policyPath,
    targets: targets.targets,
    env: targets.env,
  });
  await targets.afterBroker(stack.brokerUrl);
  alice = (await obtainTestTokens(stack.issuer, 'alice', BROKER_AUDIENCE)).accessToken ?? '';
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await targets?.close();
});

async function post(path: string, body: unknown): Promise<unknown> {
  const answer = await fetch(`${stack.brokerUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status, await answer.clone().text()).toBeLessThan(300);
  return answer.json();
}

const psql = (script: string, sql = 'select count(*) from orders') =>
  run('bash', ['-c', `${script}\npsql -X -w -Atc "$1"`, 'psql', sql], {
    env: { PATH: process.env.PATH },
  })
    .then((r) => ({ ok: true, out: r.stdout.trim() }))
    .catch((e: { stderr?: string }) => ({ ok: false, out: String(e.stderr) }));

/** Runs SQL as the broker's admin role at the demo database (catalog reads only). */
async function asBroker(sql: string, values?: unknown[]): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: targets.env.HOURGLASS_DEMO_ORDERS_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('the demo has real targets (embedded PostgreSQL from npm, the orders API)', () => {
  it('prod-orders-readonly: psql with the exported env counts the orders; refused after revoke, and a large object it made goes with it (threat: objects outlive the login)', async () => {
    const { grant } = grantResponseSchema.parse(
      await post('/v1/requests', {
        role: 'prod-orders-readonly',
        durationSeconds: 900,
        reason: 'demo',
      }),
    );
    const issued = credentialsResponseSchema.parse(
      await post(`/v1/grants/${grant.id}/credentials`, {}),
    );
    const script = formatExport(
      { credential: issued.credential, role: grant.role, expiresAt: issued.expiresAt },
      'bash',
    );
    if (!script.ok) throw new Error(script.error.message);
    expect(await psql(script.value)).toEqual({ ok: true, out: '5' });
    // Issue 18, finding 7: what the login makes goes with it, and never to a superuser admin.
    const made = await psql(script.value, 'select lo_create(0)');
    expect(made.ok, made.out).toBe(true);
    await post(`/v1/grants/${grant.id}/revoke`, {});
    const deadline = Date.now() + 5000;
    let after = await psql(script.value);
    while (after.ok && Date.now() < deadline) after = await psql(script.value);
    expect(after.ok).toBe(false);
    const { user } = postgresCredentialSchema.parse(issued.credential);
    await waitFor(
      async () =>
        (await asBroker('select 1 from pg_roles where rolname = $1', [user])).length
          ? undefined
          : true,
      'the login role dropped',
      5000,
    );
    expect(
      await asBroker('select 1 from pg_largeobject_metadata where oid = $1', [made.out]),
    ).toEqual([]);
    // The broker's admin role at the demo database is the least-privileged provisioner.
    expect(
      await asBroker('select rolsuper, rolcreaterole from pg_roles where rolname = current_user'),
    ).toEqual([{ rolsuper: false, rolcreaterole: true }]);
  }, 30_000);

  it.skipIf(!AWS)(
    `prod-orders-aws: keys from the STS stand-in, in the demo's region; ${AWS ? '' : '(skipped: no aws CLI; apt-get install awscli) '}the aws CLI makes a signed call with them`,
    async () => {
      const { grant } = grantResponseSchema.parse(
        await post('/v1/requests', { role: 'prod-orders-aws', durationSeconds: 900, reason: '' }),
      );
      const issued = credentialsResponseSchema.parse(
        await post(`/v1/grants/${grant.id}/credentials`, {}),
      );
      const vars = formatExport(
        { credential: issued.credential, role: grant.role, expiresAt: issued.expiresAt },
        'json',
      );
      if (!vars.ok) throw new Error(vars.error.message);
      const env = JSON.parse(vars.value) as Record<string, string>;
      expect(env).toMatchObject({
        AWS_REGION: DEMO_AWS_REGION,
        AWS_DEFAULT_REGION: DEMO_AWS_REGION,
      });
      const stsUrl =
        /AWS STS stand-in .*: (http:\/\/\S+) /.exec(targets.notes.join('\n'))?.[1] ?? '';
      const who = await run(
        AWS ?? 'aws',
        ['sts', 'get-caller-identity', '--endpoint-url', stsUrl, '--output', 'json'],
        {
          env: {
            PATH: process.env.PATH,
            HOME: mkdtempSync(join(tmpdir(), 'hg-aws-home-')),
            AWS_EC2_METADATA_DISABLED: 'true',
            ...env,
          },
        },
      );
      expect(JSON.parse(who.stdout)).toMatchObject({
        Arn: expect.stringContaining('assumed-role/orders-readonly/alice') as unknown,
      });
    },
    30_000,
  );

  it('prod-orders-api: the orders API accepts the token', async () => {
    const { grant } = grantResponseSchema.parse(
      await post('/v1/requests', { role: 'prod-orders-api', durationSeconds: 600, reason: '' }),
    );
    const issued = credentialsResponseSchema.parse(
      await post(`/v1/grants/${grant.id}/credentials`, {}),
    );
    const { token } = jwtCredentialSchema.parse(issued.credential);
    const api = targets.notes.find((n) => n.startsWith('orders API: '))?.split(' ')[2] ?? '';
    const answer = await fetch(api, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
  }, 20_000);
});
