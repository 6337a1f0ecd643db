import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoIdp } from '../../demo/idp.ts';
import { readinessSchema } from '../../protocol/broker-api.ts';
import { demoTokens } from '../http/live-checks.ts';
import { startTestBroker, startTestIdp } from '../http/live-harness.ts';
import { createPgTarget, type PgTargetFixture } from '../providers/postgres/pg-target.fixture.ts';
import { startSshd, type SshdFixture } from '../providers/ssh/sshd.fixture.ts';
import { startStsStandIn, type StsStandIn } from '../../demo/targets/sts-standin.ts';
import type { RunningBroker } from '../start-broker.ts';
import { tempDir } from '../test-support.ts';

const BIN = new URL('../../bin/hourglass-broker.js', import.meta.url).pathname;
let target: PgTargetFixture;
let sshd: SshdFixture;
let idp: DemoIdp;
let broker: RunningBroker;
let token: string;
let sts: StsStandIn;
const AWS_ROLE = 'arn:aws:iam::123456789012:role/drill';

beforeAll(async () => {
  target = await createPgTarget();
  process.env.DRILL_ADMIN_URL = target.adminUrl;
  sshd = await startSshd(['orders-admin']);
  // A stand-in for AWS STS (not AWS), trusting this broker's web identities for AWS_ROLE.
  sts = await startStsStandIn({ issuer: () => broker.url, roleArns: [AWS_ROLE] });
  const policyPath = join(tempDir(), 'policy.yaml');
  const role = (name: string, provider: string) =>
    `  - name: ${name}\n    provider: ${provider}\n    eligible: { groups: [engineers] }\n    maxDuration: 1h\n    reason: { required: false }\n`;
  writeFileSync(
    policyPath,
    `tenant: t\nroles:\n${role('drill-db', `{ kind: postgres, target: orders, role: ${target.groupRole} }`)}${role('drill-ssh', '{ kind: ssh, target: hosts, principals: [orders-admin] }')}${role('drill-aws', `{ kind: aws, target: sts, roleArn: "${AWS_ROLE}" }`)}`,
  );
  idp = await startTestIdp();
  broker = await startTestBroker(idp, {
    config: {
      policyPath,
      targets: {
        orders: { kind: 'postgres', adminUrl: { env: 'DRILL_ADMIN_URL' } },
        hosts: {
          kind: 'ssh',
          caKey: { file: sshd.caKeyPath },
          connect: { host: '127.0.0.1', port: sshd.port },
        },
        sts: { kind: 'aws', endpoint: sts.url },
      },
    },
  });
  token = (await demoTokens(idp)).alice;
}, 30_000);

afterAll(async () => {
  await broker?.close();
  await idp?.close();
  await sshd?.stop();
  await sts?.close();
  await target?.drop();
});

const drill = (...args: string[]): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'drill', '--broker', broker.url, ...args],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, HOURGLASS_DRILL_TOKEN: token },
        timeout: 60_000,
      },
      (error, stdout) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }),
    );
  });

describe('hourglass-broker drill (real broker, PostgreSQL and sshd)', () => {
  it('passes against the database: SELECT 1, revoke, login refused', async () => {
    const run = await drill('--role', 'drill-db', '--wait', '10');
    expect(run.stdout).toMatch(/PASS health postgres: ok/);
    expect(run.stdout).toMatch(/PASS health ssh: ok/);
    expect(run.stdout).toMatch(/PASS access while active/);
    expect(run.stdout).toMatch(/after revoke postgres: access refused/);
    expect(run.stdout).toMatch(/DRILL PASSED/);
    expect(run.code).toBe(0);
    expect(await target.grantRoles()).toEqual([]);
  }, 60_000);

  it('passes against sshd when the revocation list is synced after the revoke', async () => {
    // The documented sync recipe, with node instead of curl.
    const fetchKrl = `fetch(process.argv[1]).then((r) => r.arrayBuffer()).then((b) => require('fs').writeFileSync(process.argv[2], Buffer.from(b)))`;
    const sync = `${process.execPath} -e "${fetchKrl}" ${broker.url}/ssh/revoked-keys?target=hosts ${sshd.revokedPath}`;
    const run = await drill(
      '--role',
      'drill-ssh',
      '--ssh-login',
      `${sshd.user}@127.0.0.1`,
      '--after-revoke',
      sync,
      '--wait',
      '10',
    );
    expect(run.stdout).toMatch(/while active ssh: access works/);
    expect(run.stdout).toMatch(/DRILL PASSED/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('fails loudly when revocation does not reach the target (no sync)', async () => {
    writeFileSync(sshd.revokedPath, '');
    const run = await drill(
      '--role',
      'drill-ssh',
      '--ssh-login',
      `${sshd.user}@127.0.0.1`,
      '--wait',
      '1',
    );
    expect(run.stdout).toMatch(
      /FAIL access still works 1s after the revocation: revocation is broken/,
    );
    expect(run.stdout).toMatch(/DRILL FAILED/);
    expect(run.code).toBe(1);
  }, 60_000);

  it('passes against the STS stand-in when the deny-by-TokenIssueTime recipe runs after the revoke', async () => {
    // The recipe, played by the stand-in: deny sessions of the role issued before now.
    const deny = `fetch(process.argv[1], { method: 'POST', body: new URLSearchParams({ RoleArn: process.argv[2], IssuedBefore: new Date().toISOString() }) })`;
    const recipe = `${process.execPath} -e "${deny}" ${sts.url}/stand-in/deny-issued-before ${AWS_ROLE}`;
    const run = await drill(
      '--role',
      'drill-aws',
      '--aws-endpoint',
      sts.url,
      '--after-revoke',
      recipe,
      '--wait',
      '10',
    );
    expect(run.stdout).toMatch(/while active aws: access works — sts:GetAccessKeyInfo/);
    expect(run.stdout).toMatch(/after revoke aws: access refused — .*AccessDenied/);
    expect(run.stdout).toMatch(/DRILL PASSED/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('fails loudly against the STS stand-in when nothing denies the revoked session', async () => {
    sts.denyIssuedBefore(AWS_ROLE, new Date(0));
    const run = await drill('--role', 'drill-aws', '--aws-endpoint', sts.url, '--wait', '1');
    expect(run.stdout).toMatch(/FAIL access still works 1s after the revocation/);
    expect(run.code).toBe(1);
  }, 60_000);

  it('/readyz?verbose reports each provider; a target down fails the drill before any grant', async () => {
    expect(await (await fetch(`${broker.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const verbose = readinessSchema.parse(
      await (await fetch(`${broker.url}/readyz?verbose`)).json(),
    );
    expect(verbose.providers?.find((p) => p.kind === 'ssh')).toEqual({
      kind: 'ssh',
      status: 'ok',
      detail: null,
    });
    const before = (await broker.repo.grantsFor({})).length;
    await sshd.stop();
    const down = readinessSchema.parse(await (await fetch(`${broker.url}/readyz?verbose`)).json());
    expect(down.status).toBe('ready');
    expect(down.providers?.find((p) => p.kind === 'ssh')?.detail).toContain(
      `ssh target hosts: 127.0.0.1:${sshd.port} refused`,
    );
    const run = await drill('--role', 'drill-ssh', '--wait', '1');
    expect(run.stdout).toMatch(/FAIL health ssh: down — ssh target hosts/);
    expect(run.stdout).toMatch(/FAIL the ssh provider is down/);
    expect(run.stdout).toMatch(/DRILL FAILED/);
    expect(run.code).toBe(1);
    expect((await broker.repo.grantsFor({})).length).toBe(before);
  }, 60_000);
});
