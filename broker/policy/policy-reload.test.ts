/**
 * Policy as code: `policy check` names every error with line, column and field; a broker refuses to
 * start on a bad policy; on SIGHUP, or when the file changes, it reloads a good one and keeps
 * serving the old one on a bad one, saying why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../http/live-harness.ts';
import { SEED_POLICY_TEXT, tempDir, testStoreLocation } from '../test-support.ts';
import type { PolicyReload } from './live-policy.ts';

const bin = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const demoPolicy = fileURLToPath(new URL('../../demo/policy.yaml', import.meta.url));

describe('hourglass-broker policy check', () => {
  it('passes the demo policy', () => {
    const run = spawnSync(process.execPath, [bin, 'policy', 'check', demoPolicy], {
      encoding: 'utf8',
    });
    expect(run.stdout).toMatch(/policy OK: tenant demo, \d+ roles/);
    expect(run.status).toBe(0);
  });

  it('prints every error with file:line:column: field and exits 1', () => {
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(
      file,
      [
        'tenant: t',
        'roles:',
        '  - name: a',
        '    provider: { kind: jwt, audience: x }',
        '    eligible: { groups: [g] }',
        '    maxDuration: 2x',
        '  - name: b',
        '    provider: { kind: jwt, audience: x }',
        '    eligible: { groups: [g] }',
        '    maxDuration: 1h',
        '    breakGlass: { notify: [s] }',
        '    approval: { required: 1, from: [h] }',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [bin, 'policy', 'check', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${file}:6:18: roles[0].maxDuration: "2x" is not a duration; use 90s, 15m, 1h`,
      `${file}:11:17: roles[1].breakGlass: a break-glass role takes no approval; remove \`approval.required\` (or breakGlass)`,
    ]);
  });
});

describe('policy reload on SIGHUP and on a change of the file', () => {
  it('applies a good policy, and keeps the old one on a bad one, saying why', async () => {
    const dir = tempDir();
    const policyPath = join(dir, 'policy.yaml');
    writeFileSync(policyPath, SEED_POLICY_TEXT);
    const config = join(dir, 'broker.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        issuers: [{ issuer: 'http://127.0.0.1:9/', audience: 'urn:hourglass:broker' }],
        policyPath,
        signingKeyPath: join(dir, 'key.jwk'),
        ...(await testStoreLocation()),
      }),
    );
    const child = spawn(process.execPath, [bin, 'serve', '--config', config]);
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const waitFor = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => out.includes('listening on'), 'listening');
      // Saving the file is enough: the broker notices and reloads it.
      writeFileSync(policyPath, SEED_POLICY_TEXT.replace('maxDuration: 1h', 'maxDuration: 2h'));
      await waitFor(() => err.includes('policy reloaded on file change: 1 roles'), 'the reload');
      child.kill('SIGHUP');
      await waitFor(() => err.includes('policy reloaded on SIGHUP: 1 roles'), 'the SIGHUP reload');
      writeFileSync(policyPath, SEED_POLICY_TEXT.replace('maxDuration: 1h', 'maxDuration: soon'));
      await waitFor(
        () => err.includes('policy reload on file change refused'),
        'the refusal on change',
      );
      child.kill('SIGHUP');
      await waitFor(() => err.includes('policy reload on SIGHUP refused'), 'the SIGHUP refusal');
      expect(err).toContain(`${policyPath}:6:18: roles[0].maxDuration: "soon" is not a duration`);
      expect(err).toContain('still serving the previous policy');
      expect(child.exitCode).toBeNull();
      expect(readFileSync(policyPath, 'utf8')).toContain('soon');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('livePolicy', () => {
  it('swaps in a good policy, refuses a bad one or another tenant, and keeps serving the last good one', async () => {
    const { livePolicy } = await import('./live-policy.ts');
    const { testPolicy } = await import('../test-support.ts');
    const path = join(tempDir(), 'policy.yaml');
    writeFileSync(path, SEED_POLICY_TEXT);
    const live = livePolicy(path, testPolicy());
    writeFileSync(path, SEED_POLICY_TEXT.replace('maxDuration: 1h', 'maxDuration: 2h'));
    expect(await live.reload()).toEqual({ status: 'reloaded', roles: 1 });
    expect(live.current.roles[0]?.maxDuration).toBe(7200);
    writeFileSync(path, SEED_POLICY_TEXT.replace('tenant: t', 'tenant: other'));
    expect(await live.reload()).toMatchObject({
      status: 'refused',
      message: expect.stringContaining('the tenant changed') as string,
    });
    writeFileSync(path, 'roles: [');
    expect(await live.reload()).toMatchObject({ status: 'refused' });
    expect(live.current.roles[0]?.maxDuration).toBe(7200);
  });
});

describe('watchPolicyFile', () => {
  const until = <T>(check: () => T | undefined, what: string): Promise<T> =>
    waitFor(check, what, 5000);

  it('reloads after a save and after an editor-style rename, keeping the last good policy on a bad one', async () => {
    const { livePolicy } = await import('./live-policy.ts');
    const { watchPolicyFile } = await import('./policy-watch.ts');
    const { testPolicy } = await import('../test-support.ts');
    const dir = tempDir();
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, SEED_POLICY_TEXT);
    const live = livePolicy(path, testPolicy());
    const reports: PolicyReload[] = [];
    const watch = watchPolicyFile(
      path,
      () => live.reload(),
      (r) => reports.push(r),
      50,
    );
    // One save may come as several change events: wait for the report of the kind expected.
    const next = (status: PolicyReload['status']) =>
      until(() => reports.find((r) => r.status === status), `a report "${status}"`);
    try {
      writeFileSync(path, SEED_POLICY_TEXT.replace('maxDuration: 1h', 'maxDuration: 2h'));
      expect(await next('reloaded')).toEqual({ status: 'reloaded', roles: 1 });
      expect(live.current.roles[0]?.maxDuration).toBe(7200);

      writeFileSync(path, SEED_POLICY_TEXT.replace('maxDuration: 1h', 'maxDuration: soon'));
      expect(await next('refused')).toMatchObject({
        status: 'refused',
        message: expect.stringContaining(`${path}:6:18: roles[0].maxDuration`) as string,
      });
      expect(live.current.roles[0]?.maxDuration).toBe(7200);

      // Written elsewhere, then renamed over the policy (how many editors save).
      const temp = join(dir, '.policy.yaml.swp');
      writeFileSync(temp, SEED_POLICY_TEXT.replace('maxDuration: 1h', 'maxDuration: 3h'));
      renameSync(temp, path);
      await until(
        () => (live.current.roles[0]?.maxDuration === 10_800 ? true : undefined),
        'the renamed-over policy',
      );
      expect(reports.at(-1)).toEqual({ status: 'reloaded', roles: 1 });
    } finally {
      watch.close();
    }
  });
});
