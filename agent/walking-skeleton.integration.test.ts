import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { Entry } from '@napi-rs/keyring';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import type { DemoStack } from '../demo/stack.ts';
import { startDemoStack } from '../demo/stack.ts';
import type { AgentConfig } from './config.ts';
import type { RunningAgent } from './host.ts';
import { startAgent } from './host.ts';
import { grantSecretsInItems } from './grant-secrets-layout.ts';
import { dataDirAccountPrefix } from './keychain-scope.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { keychainItems, waitFor } from '../cli/profile-harness.ts';
import { agentContract } from '../protocol/index.ts';

// Real IdP (oidc-provider) + real broker + real gnome-keyring (private D-Bus) + the real CLI binary.
const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function keychainListing(): string {
  const run = spawnSync('secret-tool', ['search', '--all', 'service', 'hourglass'], {
    encoding: 'utf8',
  });
  // Drop the `secret = …` lines so a failing assertion never prints a token.
  return `${run.stdout}${run.stderr}`.replace(/^secret = .*$/gm, '');
}

/** Grant ids whose secret the data dir's default profile holds in the keychain (deadline buckets). */
const heldGrantIds = (prefix: string) =>
  new Set(grantSecretsInItems(keychainItems(), prefix).keys());

/** Every file under `dir` whose bytes contain `needle` (SQLite and WAL files included). */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (readFileSync(path).includes(Buffer.from(needle))) hits.push(path);
  }
  return hits;
}

describe('walking skeleton: login → request → env → wipe at the deadline', () => {
  let stack: DemoStack;
  let agent: RunningAgent;
  let config: AgentConfig;
  let cliEnv: NodeJS.ProcessEnv;
  let root: string;
  let prefix: string;

  const cli = (...args: string[]): Promise<CliRun> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: cliEnv, cwd: tmpdir() },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    // A fresh data dir: its items have names of their own (keychain-scope.ts), so "a forged
    // state stores nothing" is about this run alone, whatever other suites keep in the keyring.
    root = mkdtempSync(join(tmpdir(), 'hg-skel-'));
    stack = await startDemoStack({ dataDir: join(root, 'stack') });
    const dataDir = join(root, 'agent');
    config = agentConfigForStack(stack, dataDir, { warnBeforeSeconds: [2] });
    agent = await startAgent(config);
    prefix = dataDirAccountPrefix(dataDir);
    expect(prefix).toMatch(/^default@[0-9a-f]{12}\/$/);
    // Only HOURGLASS_HOME: the CLI must find the running agent by its socket, not start another.
    cliEnv = { PATH: process.env.PATH, HOME: process.env.HOME, HOURGLASS_HOME: dataDir };
  });

  afterAll(async () => {
    await agent?.close();
    await stack?.close();
  });

  it('serves exactly the methods of the agent contract', () => {
    expect(Object.keys(agent.handlers).sort()).toEqual(Object.keys(agentContract).sort());
  });

  it('signs alice in through the IdP and the loopback callback; a forged state stores nothing', async () => {
    // One sign-in at a time: callers at the same instant, and a caller later, all join the one
    // attempt (same id, same URL).
    const [begun, concurrent] = await Promise.all([
      agent.handlers.beginLogin({ openBrowser: false }),
      agent.handlers.beginLogin({ openBrowser: false }),
    ]);
    if (!begun.ok) throw new Error(begun.error.message);
    expect(concurrent).toEqual(begun);
    expect(await agent.handlers.beginLogin({ openBrowser: false })).toEqual(begun);
    const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
      login: 'alice',
      password: 'demo',
    });
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'forged-state');
    const forgedAnswer = await fetch(forged);
    expect(forgedAnswer.status).toBe(400);
    expect(keychainListing()).not.toContain(`attribute.username = ${prefix}session`);

    const answer = await fetch(callbackUrl);
    const page = await answer.text();
    expect(answer.status).toBe(200);
    expect(page).toContain('Signed in to Hourglass. You can close this tab.');
    expect(page).not.toContain(new URL(callbackUrl).searchParams.get('code') ?? '<no code>');
    const done = await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
    expect(done).toMatchObject({
      ok: true,
      value: { user: { groups: expect.arrayContaining(['engineers']) } },
    });
    expect(keychainListing()).toContain(`attribute.username = ${prefix}session`);
    expect(await agent.handlers.getStatus({})).toMatchObject({
      ok: true,
      value: { loggedIn: true, demo: true },
    });
  });

  it('lists the roles alice may request', async () => {
    const roles = await agent.handlers.listRoles({});
    expect(roles.ok && roles.value.roles.map((r) => r.name)).toContain('prod-api-readonly');
    const table = await cli('roles');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/prod-api-readonly\s+jwt\s+1h\s+none\s+required/);
  });

  it('refuses bad input through the CLI with a clear message and creates no grant', async () => {
    const before = await agent.handlers.listGrants({});
    const unknown = await cli('request', 'no-such-role', '--for', '5m', '--reason', 'incident');
    const tooLong = await cli(
      'request',
      'prod-api-readonly',
      '--for',
      '2h',
      '--reason',
      'incident',
    );
    const noReason = await cli('request', 'prod-api-readonly', '--for', '5m');
    for (const run of [unknown, tooLong, noReason]) {
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().length).toBeGreaterThan(10);
    }
    // The role's policy requires a reason: the broker refuses (denied by policy) and names the flag.
    expect(noReason.code).toBe(4);
    expect(noReason.stderr).toContain('--reason');
    expect(unknown.stderr).toMatch(/no-such-role/);
    const after = await agent.handlers.listGrants({});
    expect(after.ok && after.value.grants.length).toBe(before.ok && before.value.grants.length);
  });

  it('requests a grant, exports a verifiable JWT, and wipes it at the deadline', async () => {
    const requested = await cli(
      'request',
      'prod-api-readonly',
      '--for',
      '8s',
      '--reason',
      'incident',
    );
    expect(requested.stderr).toBe('');
    expect(requested.code).toBe(0);
    expect(requested.stdout).toMatch(/active/);
    const grantId = /grant (\S+) active/.exec(requested.stdout)?.[1] ?? '';
    expect(heldGrantIds(prefix).has(grantId)).toBe(true);

    const exported = await cli('env', 'prod-api-readonly', '--shell', 'bash');
    expect(exported.code).toBe(0);
    const token = spawnSync(
      'bash',
      ['-c', 'eval "$1"; printf %s "$HOURGLASS_TOKEN"', 'bash', exported.stdout],
      {
        encoding: 'utf8',
      },
    ).stdout;
    const jwks = createRemoteJWKSet(new URL(`${stack.brokerUrl}/.well-known/jwks.json`));
    const verified = await jwtVerify(token, jwks);
    expect(verified.payload.exp).toBeGreaterThan(Date.now() / 1000);
    expect(exported.stderr).not.toContain(token);
    // Metadata files never hold the secret.
    expect(readFileSync(join(config.dataDir, 'grants.json'), 'utf8')).not.toContain(token);
    const status = await cli('status');
    expect(status.stdout).toMatch(/prod-api-readonly\s+active\s+0:0\d\s+yes/);
    expect(status.stdout).not.toContain(token);
    expect(requested.stdout).not.toContain(token);
    // Secrets live in the keychain only: no file of the agent or the broker holds the token or
    // the refresh token (grant store, logs, SQLite database and its WAL, config).
    const refreshToken = new Entry('hourglass', `${prefix}session`).getPassword() ?? '';
    expect(refreshToken.length).toBeGreaterThan(20);
    expect(filesContaining(root, grantId).length).toBeGreaterThan(1); // the scan does see data
    expect(filesContaining(root, token)).toEqual([]);
    expect(filesContaining(root, refreshToken)).toEqual([]);

    const grants = await agent.handlers.listGrants({});
    const grant = grants.ok ? grants.value.grants.find((g) => g.id === grantId) : undefined;
    expect(grant).toMatchObject({ status: 'active', credentialStored: true });
    const deadline = Date.parse(grant?.expiresAt ?? '');
    expect(decodeJwt(token).exp).toBeLessThanOrEqual(Math.ceil(deadline / 1000));

    // Polled, not slept past: the agent's own deadline wipes the secret and the broker's expiry
    // reaches the agent's snapshot (both local reads: polling the broker would be rate limited).
    await waitFor(
      'the deadline wipe and the broker expiry',
      async () => {
        const snapshot = await agent.handlers.getSnapshot({});
        const status = snapshot.ok
          ? snapshot.value.grants.find((g) => g.id === grantId)?.status
          : undefined;
        return status === 'expired' && !heldGrantIds(prefix).has(grantId) ? true : undefined;
      },
      Math.max(0, deadline - Date.now()) + 10_000,
    );
    const late = await cli('env', 'prod-api-readonly');
    expect(late.code).not.toBe(0);
    // No secret on stdout, only the line that makes `eval "$(hourglass env …)"` fail visibly.
    expect(late.stdout).not.toMatch(/^export |HOURGLASS_TOKEN=/m);
    expect(late.stdout).toMatch(/^printf .*hourglass: .*; false\n$/);
    expect(late.stderr).toMatch(/prod-api-readonly/);
    const ended = await agent.handlers.listGrants({});
    expect(ended.ok && ended.value.grants.find((g) => g.id === grantId)).toMatchObject({
      status: 'expired',
      credentialStored: false,
    });
  });

  it('logs out: the session item is gone and the status says so', async () => {
    expect(await agent.handlers.logout({})).toMatchObject({ ok: true });
    expect(keychainListing()).not.toContain(`attribute.username = ${prefix}`);
    expect(await agent.handlers.getStatus({})).toMatchObject({
      ok: true,
      value: { loggedIn: false, user: null },
    });
  });
});
