import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun, ProfileHarness } from './profile-harness.ts';
import { profileItemPrefix, startProfileHarness } from './profile-harness.ts';

// Threat: a secret (grant credential, refresh token, ID token) leaking into a log, stderr or a
// file outside the keychain. The real CLI binary and headless agent, the demo IdP and broker,
// gnome-keyring; every output and every file under the test HOME and the agent's dirs is searched.

/** Every file under `dir` whose bytes contain `needle`, the keyring's own files left out. */
function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !e.parentPath.includes(join('.local', 'share', 'keyrings')))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => {
      try {
        return readFileSync(path).includes(Buffer.from(needle));
      } catch {
        return false; // a socket or a file gone meanwhile
      }
    });
}

let h: ProfileHarness;
beforeAll(async () => {
  h = await startProfileHarness();
});
afterAll(async () => h?.close());

describe('canary secrets through the CLI flows', () => {
  it('appear in no stderr, no log and no file outside the keychain', async () => {
    const runs: CliRun[] = [await h.login('canary', 'alice')];
    const cli = async (...args: string[]) => {
      const run = await h.cli('canary', ...args);
      runs.push(run);
      return run;
    };
    const requested = await cli(
      'request',
      'prod-api-readonly',
      '--for',
      '10m',
      '--reason',
      'canary',
      '--json',
    );
    const grantId = (JSON.parse(requested.stdout) as { grant: { id: string } }).grant.id;
    const env = await cli('env', 'prod-api-readonly', '--shell', 'bash');
    const token = /HOURGLASS_TOKEN='?([\w.-]+)/.exec(env.stdout)?.[1] ?? '';
    expect(token.length).toBeGreaterThan(40);
    const item = spawnSync(
      'secret-tool',
      [
        'lookup',
        'service',
        'hourglass',
        'username',
        `${profileItemPrefix(h.base, 'canary')}session`,
      ],
      {
        encoding: 'utf8',
      },
    ).stdout;
    const session = JSON.parse(item) as { refreshToken: string; idToken: string };
    for (const args of [
      ['status'],
      ['history'],
      ['roles'],
      ['doctor'],
      ['status', '--json'],
      ['logout', '--end-grants', '--no-browser'],
    ])
      await cli(...args);
    const secrets = { token, refresh: session.refreshToken, id: session.idToken };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(20);
      for (const run of runs) expect(run.stderr.includes(secret), `${name} in stderr`).toBe(false);
      // stdout carries the credential only where asked for it (`env`); the ID token never (the
      // logout URL printed names the client, not the session: issue 18, finding 11).
      for (const run of runs.filter((r) => r !== env))
        expect(run.stdout.includes(secret), `${name} in stdout`).toBe(false);
      for (const dir of [h.base, process.env.HOME ?? h.base])
        expect(filesContaining(dir, secret), `${name} in files`).toEqual([]);
    }
    // The search does see the agent's files (its store and log) and the broker's database, whose
    // grant and audit rows (SQLite file and WAL) were searched for each secret above.
    const seen = filesContaining(h.base, grantId);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((path) => path.includes('demo-stack')).length).toBeGreaterThan(0);
  });
});
