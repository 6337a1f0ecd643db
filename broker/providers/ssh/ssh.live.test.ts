import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsResponseSchema, sshCredentialSchema } from '../../../protocol/index.ts';
import type { DemoIdp } from '../../../demo/idp.ts';
import { demoTokens, liveChecks } from '../../http/live-checks.ts';
import { startTestBroker, startTestIdp, waitFor } from '../../http/live-harness.ts';
import type { RunningBroker } from '../../start-broker.ts';
import { tempDir } from '../../test-support.ts';
import { startSshd, type SshdFixture } from './sshd.fixture.ts';

const run = promisify(execFile);
let sshd: SshdFixture;
let idp: DemoIdp;
let broker: RunningBroker;
let alice: string;
let check: ReturnType<typeof liveChecks>;

beforeAll(async () => {
  sshd = await startSshd(['orders-admin']);
  const policyPath = join(tempDir(), 'policy.yaml');
  const role = (name: string, principal: string) =>
    `  - name: ${name}\n    provider: { kind: ssh, target: hosts, principals: [${principal}] }\n    eligible: { groups: [engineers] }\n    maxDuration: 1h\n    reason: { required: false }\n`;
  writeFileSync(
    policyPath,
    `tenant: t\nroles:\n${role('orders-ssh', 'orders-admin')}${role('other-ssh', 'someone-else')}`,
  );
  idp = await startTestIdp();
  broker = await startTestBroker(idp, {
    config: {
      policyPath,
      targets: { hosts: { kind: 'ssh', caKey: { file: sshd.caKeyPath }, skewSeconds: 30 } },
    },
  });
  ({ alice } = await demoTokens(idp));
  check = liveChecks(broker);
  await syncRevocations();
}, 30_000);

afterAll(async () => {
  await broker?.close();
  await idp?.close();
  await sshd?.stop();
});

/** The documented sync: fetch the KRL and put it where sshd's RevokedKeys points. */
async function syncRevocations(): Promise<Buffer> {
  const response = await fetch(`${broker.url}/ssh/revoked-keys?target=hosts`);
  expect(response.status).toBe(200);
  const krl = Buffer.from(await response.arrayBuffer());
  writeFileSync(sshd.revokedPath, krl);
  return krl;
}

async function certificateFor(role: string, seconds: number, name: string) {
  const grant = check.grantOf(
    await check.post(alice, '/v1/requests', { role, durationSeconds: seconds, reason: '' }),
    201,
  );
  const { keyPath, publicKey } = await sshd.newKey(name);
  const answer = await check.post(alice, `/v1/grants/${grant.id}/credentials`, { publicKey });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const credential = sshCredentialSchema.parse(
    credentialsResponseSchema.parse(answer.body).credential,
  );
  const certPath = `${keyPath}-cert.pub`;
  writeFileSync(certPath, `${credential.certificate}\n`);
  return { grant, keyPath, certPath, credential, publicKey };
}

describe('ssh provider against a real sshd (user CA, RevokedKeys)', () => {
  it('signs the device key: login works, then is refused once the revocation list is synced', async () => {
    const { grant, keyPath, certPath, credential } = await certificateFor('orders-ssh', 600, 'k1');
    expect(credential.keyId).toBe(`hourglass:alice:${grant.id}`);
    expect(credential.principals).toEqual(['orders-admin']);
    const { stdout } = await run('ssh-keygen', ['-L', '-f', certPath]);
    expect(stdout).toContain(`Key ID: "hourglass:alice:${grant.id}"`);
    expect(stdout).toContain('permit-pty');
    expect(await sshd.tryLogin(keyPath, certPath)).toMatchObject({ ok: true });

    // Extend re-signs the same key: a new certificate for the same public key, later end.
    check.grantOf(
      await check.post(alice, `/v1/grants/${grant.id}/extend`, { durationSeconds: 1200 }),
    );

    check.grantOf(await check.post(alice, `/v1/grants/${grant.id}/revoke`, { reason: 'done' }));
    // Not yet synced: sshd still accepts (this is why the sync recipe runs every minute).
    expect((await sshd.tryLogin(keyPath, certPath)).ok).toBe(true);
    const krl = await syncRevocations();
    const query = await run('ssh-keygen', ['-Q', '-f', sshd.revokedPath, certPath]).catch(
      (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
    );
    expect(query.stdout).toMatch(/REVOKED/);
    expect(krl.subarray(0, 8).toString('latin1')).toBe('SSHKRL\n\0');
    expect((await sshd.tryLogin(keyPath, certPath)).ok).toBe(false);
    await waitFor(
      () => (/revoked/i.test(sshd.log()) ? true : undefined),
      'sshd logs the revoked key',
    );
  }, 30_000);

  it('refuses a certificate for another principal', async () => {
    const { grant, keyPath, certPath } = await certificateFor('other-ssh', 600, 'k2');
    expect((await sshd.tryLogin(keyPath, certPath)).ok).toBe(false);
    await waitFor(
      () =>
        /does not contain an authorized principal|not.*principal/i.test(sshd.log())
          ? true
          : undefined,
      'sshd names the principal',
    );
    check.grantOf(await check.post(alice, `/v1/grants/${grant.id}/revoke`, {}));
  }, 20_000);

  it('refuses the certificate after the deadline', async () => {
    const { keyPath, certPath, credential } = await certificateFor('orders-ssh', 2, 'k3');
    expect((await sshd.tryLogin(keyPath, certPath)).ok).toBe(true);
    await waitFor(
      async () => ((await sshd.tryLogin(keyPath, certPath)).ok ? undefined : true),
      'login refused after expiry',
      8000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(credential.validBefore));
  }, 20_000);

  it('refuses a fetch without a public key, or with an RSA key, saying what to send', async () => {
    const grant = check.grantOf(
      await check.post(alice, '/v1/requests', {
        role: 'other-ssh',
        durationSeconds: 60,
        reason: '',
      }),
      201,
    ).id;
    const none = await check.post(alice, `/v1/grants/${grant}/credentials`, {});
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toMatch(/publicKey/);
    await run('ssh-keygen', [
      '-q',
      '-t',
      'rsa',
      '-b',
      '2048',
      '-N',
      '',
      '-f',
      join(sshd.dir, 'rsa'),
    ]);
    const rsa = await check.post(alice, `/v1/grants/${grant}/credentials`, {
      publicKey: (await run('cat', [join(sshd.dir, 'rsa.pub')])).stdout,
    });
    expect(rsa.status).toBe(400);
    expect(JSON.stringify(rsa.body)).toMatch(/ed25519 or ECDSA/);
  }, 20_000);
});
