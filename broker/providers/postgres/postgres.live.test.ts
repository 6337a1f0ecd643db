import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatExport } from '../../../agent/export-format.ts';
import {
  credentialsResponseSchema,
  postgresCredentialSchema,
  type Credential,
} from '../../../protocol/index.ts';
import type { DemoIdp } from '../../../demo/idp.ts';
import { demoTokens, liveChecks } from '../../http/live-checks.ts';
import { startTestBroker, startTestIdp, waitFor } from '../../http/live-harness.ts';
import type { RunningBroker } from '../../start-broker.ts';
import { tempDir } from '../../test-support.ts';
import { createPgTarget, type PgTargetFixture } from './pg-target.fixture.ts';

const run = promisify(execFile);
const ADMIN_ENV = 'HG_TEST_ORDERS_ADMIN_URL';

let target: PgTargetFixture;
let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let check: ReturnType<typeof liveChecks>;
const loginRoles: string[] = [];

beforeAll(async () => {
  target = await createPgTarget();
  process.env[ADMIN_ENV] = target.adminUrl;
  const policyPath = join(tempDir(), 'policy.yaml');
  writeFileSync(
    policyPath,
    `tenant: t
roles:
  - name: orders-ro
    provider: { kind: postgres, target: orders, role: ${target.groupRole}, connectionLimit: 3 }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    approval: { required: 0 }
    reason: { required: false }
`,
  );
  idp = await startTestIdp();
  broker = await startTestBroker(idp, {
    config: { policyPath, targets: { orders: { kind: 'postgres', adminUrl: { env: ADMIN_ENV } } } },
  });
  ({ alice } = await demoTokens(idp));
  check = liveChecks(broker);
}, 30_000);

afterAll(async () => {
  await broker?.close();
  await idp?.close();
  if (target) {
    // No temporary login survives the suite.
    const left = await target.admin<{ rolname: string }>(
      'SELECT rolname FROM pg_roles WHERE rolname = ANY($1)',
      [loginRoles],
    );
    await target.drop();
    expect(left).toEqual([]);
  }
});

const roleRow = async (name: string) =>
  (
    await target.admin<{ rolvaliduntil: Date | null; rolconnlimit: number }>(
      'SELECT rolvaliduntil, rolconnlimit FROM pg_roles WHERE rolname = $1',
      [name],
    )
  )[0];

/** Runs psql in a real bash that evaluated the export lines, as a person would. */
async function psqlWith(script: string, sql: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run(
      'bash',
      ['-c', `${script}\nexec psql -X -w -Atc "$1"`, 'psql', sql],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir() } },
    );
    return { ok: true, out: stdout.trim() };
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr ?? error) };
  }
}

function bashExports(credential: Credential, expiresAt: string): string {
  const script = formatExport({ credential, role: 'orders-ro', expiresAt }, 'bash');
  if (!script.ok) throw new Error(script.error.message);
  return script.value;
}

async function fetchCredential(id: string) {
  const answer = await check.post(alice, `/v1/grants/${id}/credentials`, {});
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const body = credentialsResponseSchema.parse(answer.body);
  return { body, credential: postgresCredentialSchema.parse(body.credential) };
}

describe('postgres provider against a real PostgreSQL (scram)', () => {
  it('issues a login role that works, survives an extension with the same password, and is dropped with its sessions at revoke', async () => {
    const grant = check.grantOf(
      await check.post(alice, '/v1/requests', {
        role: 'orders-ro',
        durationSeconds: 600,
        reason: '',
      }),
      201,
    );
    const { body, credential } = await fetchCredential(grant.id);
    loginRoles.push(credential.user);
    expect(credential.user).toMatch(/^hg_alice_[0-9a-f]{16}$/);
    expect(credential.password).toHaveLength(43);
    const row = await waitFor(() => roleRow(credential.user), 'the login role');
    expect(row.rolvaliduntil?.toISOString()).toBe(new Date(body.expiresAt).toISOString());
    expect(row.rolconnlimit).toBe(3);

    const script = bashExports(credential, body.expiresAt);
    expect(await psqlWith(script, 'select count(*) from orders')).toEqual({ ok: true, out: '3' });
    // Read-only: the group role's privileges, nothing more.
    expect((await psqlWith(script, "insert into orders values (9, 'x')")).ok).toBe(false);

    const open = new pg.Client({ ...credential, ssl: false });
    open.on('error', () => undefined);
    await open.connect();

    const extended = check.grantOf(
      await check.post(alice, `/v1/grants/${grant.id}/extend`, { durationSeconds: 1800 }),
    );
    await waitFor(
      async () =>
        (await roleRow(credential.user))?.rolvaliduntil?.toISOString() ===
        new Date(extended.expiresAt ?? 0).toISOString()
          ? true
          : undefined,
      'VALID UNTIL moved to the new deadline',
    );
    expect(await psqlWith(script, 'select count(*) from orders')).toEqual({ ok: true, out: '3' });
    expect((await open.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    // A fetch after the extension hands out the same password.
    expect((await fetchCredential(grant.id)).credential.password).toBe(credential.password);

    check.grantOf(await check.post(alice, `/v1/grants/${grant.id}/revoke`, { reason: 'done' }));
    await waitFor(
      async () => ((await roleRow(credential.user)) ? undefined : true),
      'role dropped',
    );
    await expect(open.query('select 1')).rejects.toThrow();
    await open.end().catch(() => undefined);
    const refused = await psqlWith(script, 'select 1');
    expect(refused.ok).toBe(false);
    expect(refused.out).toMatch(/password authentication failed/);
    expect(refused.out).not.toContain(credential.password);
  }, 30_000);

  it('refuses the login after the deadline, then drops the role', async () => {
    const grant = check.grantOf(
      await check.post(alice, '/v1/requests', {
        role: 'orders-ro',
        durationSeconds: 2,
        reason: '',
      }),
      201,
    );
    const { body, credential } = await fetchCredential(grant.id);
    loginRoles.push(credential.user);
    const script = bashExports(credential, body.expiresAt);
    expect((await psqlWith(script, 'select 1')).ok).toBe(true);
    await waitFor(
      async () => ((await psqlWith(script, 'select 1')).ok ? undefined : true),
      'login refused after the deadline',
      8000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(body.expiresAt));
    await waitFor(
      async () => ((await roleRow(credential.user)) ? undefined : true),
      'role dropped',
      8000,
    );
  }, 20_000);
});
