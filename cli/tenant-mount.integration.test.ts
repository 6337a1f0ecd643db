/**
 * The real CLI against one tenant of a broker serving several: `hourglass setup
 * <broker>/tenants/prod-eu`, then sign-in, request and status with the profile it wrote. The grant
 * lands in prod-eu's store only; a tenant the broker does not serve is refused by setup.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGrant } from '../protocol/index.ts';
import {
  jwtRole,
  startTenantsBroker,
  tenantPolicy,
  tenantsConfig,
} from '../broker/http/tenants-harness.ts';
import type { RunningBroker } from '../broker/start-broker.ts';
import { DEMO_CLIENT_ID, startDemoIdp, type DemoIdp } from '../demo/idp.ts';
import { BROKER_AUDIENCE } from '../demo/stack.ts';
import type { CliRun } from './profile-harness.ts';
import { answerSignIn, cliTestEnv } from './profile-harness.ts';

const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;
const home = join(mkdtempSync(join(tmpdir(), 'hg-tenant-mount-')), 'hourglass');
// Its own profile: its keychain items never meet another test's.
const PROFILE = `tm${process.pid}`;
const env = cliTestEnv(home, { HOURGLASS_ALLOW_INSECURE_HTTP: '1' });

const cli = (...args: string[]): Promise<CliRun> =>
  new Promise((resolve) =>
    execFile(
      process.execPath,
      [BIN, '--profile', PROFILE, ...args],
      { env, cwd: tmpdir() },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    ),
  );

let idp: DemoIdp;
let broker: RunningBroker;

beforeAll(async () => {
  idp = await startDemoIdp({ brokerAudience: BROKER_AUDIENCE });
  const api = jwtRole('api', ['engineers']);
  broker = await startTenantsBroker(
    await tenantsConfig(
      [{ issuer: idp.issuer, audience: BROKER_AUDIENCE, clientId: DEMO_CLIENT_ID }],
      [
        { name: 'prod-eu', policy: tenantPolicy('prod-eu', api) },
        { name: 'prod-us', policy: tenantPolicy('prod-us', api) },
      ],
    ),
  );
});
afterAll(async () => {
  const pidFile = join(home, 'profiles', PROFILE, 'agent.pid');
  if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  await broker?.close();
  await idp?.close();
});

/** `hourglass login` through the IdP pages, as alice. */
async function login(): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, '--profile', PROFILE, 'login', '--no-browser'], {
    env,
    cwd: tmpdir(),
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await answerSignIn(() => stderr, 'alice');
  return exited;
}

describe('the CLI against a tenant mount', () => {
  it('sets up, signs in, requests and shows status in prod-eu', async () => {
    const eu = broker.tenant('prod-eu');
    const setup = await cli('setup', eu.url);
    expect(setup).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`Set up for broker ${eu.url}`),
    });
    const config = JSON.parse(readFileSync(join(home, 'profiles', PROFILE, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      brokerUrl: eu.url,
      issuer: idp.issuer,
      clientId: DEMO_CLIENT_ID,
    });
    expect(await login()).toBe(0);
    const requested = await cli(
      'request',
      'api',
      '--for',
      '10m',
      '--reason',
      'tenant mount',
      '--json',
    );
    expect(requested.stderr).toBe('');
    const { grant } = JSON.parse(requested.stdout) as { grant: LocalGrant };
    expect(grant).toMatchObject({ role: 'api', status: 'active' });
    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(grant.id);
    const inStore = (tenant: string) =>
      broker
        .tenant(tenant)
        .db.selectFrom('grants')
        .select('id')
        .where('id', '=', grant.id)
        .execute();
    expect(await inStore('prod-eu')).toHaveLength(1);
    expect(await inStore('prod-us')).toHaveLength(0);
  });

  it('refuses a tenant the broker does not serve', async () => {
    const run = await cli('setup', `${broker.url}/tenants/prod-xx`, '--force');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /does not look like a Hourglass broker \(no valid \/\.well-known\/hourglass, HTTP 404\)/,
    );
  });
});
