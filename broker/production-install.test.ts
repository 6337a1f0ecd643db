/**
 * The production install, for real: the compiled bundle beside `npm ci --omit=dev` in a clean
 * directory (no tsx, no dev tools), started with the documented command, serves `/readyz` and
 * issues a grant for a token from the real demo IdP. `npm ci` takes about a minute, so it runs
 * when HOURGLASS_TEST_PRODUCTION_INSTALL=1 (`npm test` sets it) and is skipped otherwise.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTestTokens } from '../demo/idp-login-driver.ts';
import type { DemoIdp } from '../demo/idp.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { startTestIdp, waitFor } from './http/live-harness.ts';

const ENABLED = process.env.HOURGLASS_TEST_PRODUCTION_INSTALL === '1';
const ROOT = new URL('..', import.meta.url).pathname;
const TITLE = ENABLED
  ? 'production install (npm ci --omit=dev, compiled broker)'
  : 'production install: skipped, set HOURGLASS_TEST_PRODUCTION_INSTALL=1 to run `npm ci --omit=dev` (about a minute; npm test does)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Runs a command to completion without blocking the test worker (npm ci takes a minute). */
async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  await promisify(execFile)(command, args, { cwd, env, timeout: 600_000, maxBuffer: 1 << 24 });
}

describe.skipIf(!ENABLED)(TITLE, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-prod-'));
  let idp: DemoIdp | undefined;
  let broker: ChildProcess | undefined;
  let output = '';
  let url = '';

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
    // better-sqlite3 builds against the distribution's Node headers where there are some (as
    // `npm start` and .ci/run do), instead of downloading them.
    if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h'))
      env.npm_config_nodedir = '/usr';
    // Built straight into the clean directory: the checkout's dist/ is what other tests run.
    await run(
      process.execPath,
      ['build/bundle-broker.mjs', '--outdir', join(dir, 'dist')],
      ROOT,
      env,
    );
    for (const file of ['package.json', 'package-lock.json', 'bin/hourglass-broker.js'])
      cpSync(join(ROOT, file), join(dir, file));
    cpSync(DEMO_POLICY_PATH, join(dir, 'policy.yaml'));
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], dir, env);

    idp = await startTestIdp();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'broker.yaml'),
      [
        'host: 127.0.0.1',
        `port: ${port}`,
        'issuers:',
        `  - issuer: ${idp.issuer}`,
        `    audience: ${BROKER_AUDIENCE}`,
        'policyPath: policy.yaml',
        'databasePath: broker.sqlite',
        'signingKeyPath: signing.jwk',
        'logLevel: warn',
        '',
      ].join('\n'),
    );
    // A plain environment: nothing of the test runner's loaders reaches the broker.
    broker = spawn(
      process.execPath,
      ['bin/hourglass-broker.js', 'serve', '--config', 'broker.yaml'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, HOURGLASS_ALLOW_INSECURE_HTTP: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    broker.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    broker.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  }, 600_000);

  afterAll(async () => {
    if (broker && broker.exitCode === null) {
      const exited = new Promise((resolve) => broker?.once('exit', resolve));
      broker.kill('SIGTERM');
      await exited;
    }
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs without the dev dependencies', () => {
    for (const dev of ['tsx', 'vitest', 'typescript', 'esbuild'])
      expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'better-sqlite3'))).toBe(true);
  });

  it('serves /readyz and issues a grant', async () => {
    await waitFor(
      async () => {
        if (broker?.exitCode !== null) throw new Error(`the broker exited:\n${output}`);
        const answer = await fetch(`${url}/readyz`).catch(() => null);
        return answer?.status === 200 ? true : undefined;
      },
      'the production broker to be ready',
      30_000,
    );
    if (!idp) throw new Error('no IdP');
    const { accessToken } = await obtainTestTokens(idp.issuer, 'alice', BROKER_AUDIENCE);
    const answer = await fetch(`${url}/v1/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        role: 'prod-api-readonly',
        durationSeconds: 300,
        reason: 'production install check',
      }),
    });
    const body = (await answer.json()) as { grant?: { status?: string } };
    expect(answer.status, JSON.stringify(body)).toBeLessThan(300);
    expect(body.grant?.status).toBe('active');
  }, 60_000);
});
