import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBrokerDatabase } from './store/open-database.ts';
import { seedActiveGrant, tempDir, testLifecycle, testUser } from './test-support.ts';

const bin = fileURLToPath(new URL('../bin/hourglass-broker.js', import.meta.url));
const demoPolicy = fileURLToPath(new URL('../demo/policy.yaml', import.meta.url));

function brokerCli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
}

function writeConfig(dir: string, policyPath: string, extra = ''): string {
  const path = join(dir, 'broker.yaml');
  writeFileSync(
    path,
    [
      'issuers: [{ issuer: "http://127.0.0.1:9/", audience: "urn:hourglass:broker" }]',
      `policyPath: ${policyPath}`,
      `databasePath: ${join(dir, 'broker.sqlite')}`,
      `signingKeyPath: ${join(dir, 'key.jwk')}`,
      extra,
    ].join('\n'),
  );
  return path;
}

describe('hourglass-broker command line', () => {
  it('refuses a malformed policy with file:line:field and writes nothing', () => {
    const dir = tempDir();
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      'tenant: t\nroles:\n  - name: ro\n    description: x\n    provider: { kind: jwt, audience: a }\n    eligible: { groups: [e] }\n    maxDuration: 2x\n',
    );
    const run = brokerCli(['serve', '--config', writeConfig(dir, policy)]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${policy}:7:18: roles[0].maxDuration: "2x" is not a duration`);
    expect(existsSync(join(dir, 'broker.sqlite'))).toBe(false);
    expect(existsSync(join(dir, 'key.jwk'))).toBe(false);
  });

  it('refuses an unknown config key, naming it', () => {
    const dir = tempDir();
    const run = brokerCli(['serve', '--config', writeConfig(dir, demoPolicy, 'listenOn: 0.0.0.0')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /broker\.yaml:5:11: \(top level\): unknown key\(s\) listenOn; remove them/,
    );
    expect(existsSync(join(dir, 'broker.sqlite'))).toBe(false);
  });

  it('audit verify refuses a missing database instead of creating one', () => {
    const dir = tempDir();
    const db = join(dir, 'missing.sqlite');
    const run = brokerCli(['audit', 'verify', '--db', db]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no such database file');
    expect(existsSync(db)).toBe(false);
  });

  it('audit verify passes over a database the whole lifecycle wrote to', async () => {
    const dir = tempDir();
    const path = join(dir, 'lifecycle.sqlite');
    const db = await openBrokerDatabase(path);
    const now = new Date('2030-01-01T00:00:00Z');
    const { service } = testLifecycle(db, { now: () => now });
    await seedActiveGrant(db, 'g1', 600, now);
    const owner = testUser('alice-g1', ['g']);
    await service.apply('g1', { kind: 'issueCredential', tokenId: 'jti-1' }, owner);
    await service.apply('g1', { kind: 'revoke', reason: 'done' }, owner);
    const receipt = { wipedAt: now.toISOString(), trigger: 'done' as const, items: ['keychain'] };
    await service.apply('g1', { kind: 'recordWipe', receipt }, owner);
    await db.destroy();
    const run = brokerCli(['audit', 'verify', '--db', path]);
    expect(run.stdout).toContain('audit log intact: 5 records');
    expect(run.status).toBe(0);
  });

  it('serves with a good config and stops on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [bin, 'serve', '--config', writeConfig(dir, demoPolicy)]);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`broker exited ${String(code)}`)));
    });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    // JSON log lines with the request id; a presented token never reaches the log.
    let logged = '';
    child.stdout.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    const canary = 'eyJhbGciOiJFUzI1NiJ9.canary-token-in-a-log.c2ln';
    await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${canary}` } });
    const deadline = Date.now() + 5000;
    while (!logged.includes('request completed') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = logged
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reqId?: string; msg?: string });
    expect(
      lines.some((l) => l.msg === 'request completed' && /^[0-9a-f]{16}$/.test(l.reqId ?? '')),
    ).toBe(true);
    expect(logged).not.toContain('canary-token');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
