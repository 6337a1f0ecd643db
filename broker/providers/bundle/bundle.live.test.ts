import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCredentialSchema, credentialsResponseSchema } from '../../../protocol/index.ts';
import type { DemoIdp } from '../../../demo/idp.ts';
import { demoTokens, liveChecks } from '../../http/live-checks.ts';
import { startTestBroker, startTestIdp, waitFor } from '../../http/live-harness.ts';
import type { RunningBroker } from '../../start-broker.ts';
import { tempDir } from '../../test-support.ts';
import { createPgTarget, type PgTargetFixture } from '../postgres/pg-target.fixture.ts';
import { startSshd, type SshdFixture } from '../ssh/sshd.fixture.ts';

let target: PgTargetFixture;
let sshd: SshdFixture;
let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let check: ReturnType<typeof liveChecks>;

beforeAll(async () => {
  target = await createPgTarget();
  sshd = await startSshd(['orders-admin']);
  const policyPath = join(tempDir(), 'policy.yaml');
  writeFileSync(
    policyPath,
    `tenant: t
roles:
  - name: orders-oncall
    provider:
      kind: bundle
      entitlements:
        - { kind: postgres, target: orders, role: ${target.groupRole} }
        - { kind: ssh, target: hosts, principals: [orders-admin] }
    eligible: { groups: [engineers] }
    maxDuration: 1h
    reason: { required: false }
`,
  );
  idp = await startTestIdp();
  broker = await startTestBroker(idp, {
    config: {
      policyPath,
      targets: {
        orders: { kind: 'postgres', adminUrl: { file: join(tempDir(), 'missing') } },
        hosts: { kind: 'ssh', caKey: { file: sshd.caKeyPath } },
      },
    },
  }).catch(async (error: unknown) => {
    // A secret file that cannot be read stops the broker with a message naming the file.
    expect(String(error)).toMatch(/cannot read the secret file .*missing/);
    const adminFile = join(tempDir(), 'admin-url');
    writeFileSync(adminFile, `${target.adminUrl}\n`, { mode: 0o600 });
    return startTestBroker(idp, {
      config: {
        policyPath,
        targets: {
          orders: { kind: 'postgres', adminUrl: { file: adminFile } },
          hosts: { kind: 'ssh', caKey: { file: sshd.caKeyPath } },
        },
      },
    });
  });
  ({ alice } = await demoTokens(idp));
  check = liveChecks(broker);
}, 30_000);

afterAll(async () => {
  await broker?.close();
  await idp?.close();
  await sshd?.stop();
  await target?.drop();
});

const roleExists = async (name: string) =>
  (await target.admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length > 0;
const loginRoles = () => target.grantRoles();

describe('a role bundling a database and SSH (real PostgreSQL and sshd)', () => {
  it('issues both together; a failing part undoes the other; revocation ends both', async () => {
    const grant = check.grantOf(
      await check.post(alice, '/v1/requests', {
        role: 'orders-oncall',
        durationSeconds: 600,
        reason: '',
      }),
      201,
    );
    expect(grant.provider).toBe('bundle');
    const [login] = await waitFor(
      async () => ((await loginRoles()).length ? loginRoles() : undefined),
      'role',
    );
    expect(login).toBeDefined();

    // No public key: the ssh part fails, and the database login made first is undone.
    const refused = await check.post(alice, `/v1/grants/${grant.id}/credentials`, {});
    expect(refused.status).toBe(400);
    expect(await roleExists(login ?? '')).toBe(false);

    const { keyPath, publicKey } = await sshd.newKey('bundle-key');
    const answer = await check.post(alice, `/v1/grants/${grant.id}/credentials`, { publicKey });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const bundle = bundleCredentialSchema.parse(
      credentialsResponseSchema.parse(answer.body).credential,
    );
    const db = bundle.credentials.find((c) => c.kind === 'postgres');
    const ssh = bundle.credentials.find((c) => c.kind === 'ssh');
    if (db?.kind !== 'postgres' || ssh?.kind !== 'ssh') throw new Error('both parts expected');
    const client = new pg.Client({ ...db, ssl: false });
    await client.connect();
    expect((await client.query('select count(*)::int as n from orders')).rows).toEqual([{ n: 3 }]);
    await client.end();
    writeFileSync(`${keyPath}-cert.pub`, `${ssh.certificate}\n`);
    expect((await sshd.tryLogin(keyPath, `${keyPath}-cert.pub`)).ok).toBe(true);

    check.grantOf(await check.post(alice, `/v1/grants/${grant.id}/revoke`, {}));
    await waitFor(
      async () => ((await roleExists(db.user)) ? undefined : true),
      'database login dropped',
    );
    writeFileSync(
      sshd.revokedPath,
      Buffer.from(await (await fetch(`${broker.url}/ssh/revoked-keys`)).arrayBuffer()),
    );
    expect((await sshd.tryLogin(keyPath, `${keyPath}-cert.pub`)).ok).toBe(false);
  }, 30_000);
});
