/**
 * One `hourglass-broker serve` process for two tenants, from a config file: each tenant's policy
 * reloads on its own (file change, SIGHUP); a bad file keeps that tenant on its old policy while
 * the other serves its new one; SIGTERM closes every tenant; `audit verify --config --tenant`
 * opens one tenant's evidence.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolesResponseSchema } from '../../protocol/broker-api.ts';
import { obtainTestTokens } from '../../demo/idp-login-driver.ts';
import { BROKER_AUDIENCE } from '../../demo/stack.ts';
import type { DemoIdp } from '../../demo/idp.ts';
import { tempDir } from '../test-support.ts';
import { call, startTestIdp, waitFor } from './live-harness.ts';
import { jwtRole, tenantPolicy, tenantsConfig } from './tenants-harness.ts';

const bin = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const policy = (tenant: string, maxDuration = '1h') =>
  tenantPolicy(tenant, jwtRole('api', ['engineers']).replace('1h', maxDuration));

let idp: DemoIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp?.close();
});

describe('hourglass-broker serve with tenants', () => {
  it('reloads each tenant on its own, keeps a bad one on its old policy, and stops on SIGTERM', async () => {
    const config = await tenantsConfig(
      [{ issuer: idp.issuer, audience: BROKER_AUDIENCE }],
      [
        { name: 'prod-eu', policy: policy('prod-eu') },
        { name: 'prod-us', policy: policy('prod-us') },
      ],
    );
    const configPath = join(tempDir(), 'broker.yaml');
    writeFileSync(configPath, JSON.stringify({ ...config, logLevel: 'silent' }));
    const child = spawn(process.execPath, [bin, 'serve', '--config', configPath]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const seen = (text: string, what: string) =>
      waitFor(() => (err.includes(text) || out.includes(text) ? true : undefined), what, 15_000);
    try {
      await seen('tenant prod-us served at', 'listening');
      const url = (name: string) =>
        new RegExp(`tenant ${name} served at (\\S+)`).exec(out)?.[1] ?? '';
      const eu = { url: url('prod-eu') };
      const us = { url: url('prod-us') };
      const alice = (await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE)).accessToken;
      const maxSeconds = async (tenant: { url: string }) =>
        rolesResponseSchema.parse((await call(tenant, 'GET', '/v1/roles', alice)).body).roles[0]
          ?.maxDurationSeconds;
      const [euPolicy, usPolicy] = (config.tenants ?? []).map((t) => t.policyPath);
      writeFileSync(euPolicy ?? '', policy('prod-eu', 'soon'));
      writeFileSync(usPolicy ?? '', policy('prod-us', '2h'));
      await seen('policy of tenant prod-us reloaded on file change: 1 roles', 'the prod-us reload');
      await seen('policy of tenant prod-eu reload on file change refused', 'the prod-eu refusal');
      expect(await maxSeconds(us)).toBe(7200);
      expect(await maxSeconds(eu)).toBe(3600);
      const requested = await call(us, 'POST', '/v1/requests', alice, {
        role: 'api',
        durationSeconds: 600,
        reason: 'audit evidence',
      });
      expect(requested.status).toBe(201);
      child.kill('SIGHUP');
      await seen('policy of tenant prod-us reloaded on SIGHUP', 'the prod-us SIGHUP reload');
      await seen('policy of tenant prod-eu reload on SIGHUP refused', 'the prod-eu SIGHUP refusal');
      expect(err).toContain(`${euPolicy}:6:18: roles[0].maxDuration: "soon" is not a duration`);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The audit tools open one tenant's evidence from the same config.
      const audit = (...args: string[]) =>
        spawnSync(process.execPath, [bin, 'audit', 'verify', '--config', configPath, ...args], {
          encoding: 'utf8',
        });
      expect(audit('--tenant', 'prod-us')).toMatchObject({
        status: 0,
        stdout: expect.stringMatching(/^audit log intact: [1-9]\d* records, 1 signed checkpoints/),
      });
      // The last checkpoint was signed on the way out; prod-eu's store holds none of prod-us's records.
      expect(audit('--tenant', 'prod-eu').stdout).toMatch(/^audit log intact: 0 records/);
      expect(audit()).toMatchObject({
        status: 1,
        stderr: expect.stringContaining(
          'serves several tenants; name one with --tenant (prod-eu, prod-us)',
        ),
      });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
