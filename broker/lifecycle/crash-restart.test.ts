/**
 * SECURITY 19, with a real crash: the broker process is killed with SIGKILL while grants are about
 * to fall due; they pass their deadline while it is down; the restarted process expires them and
 * carries out their revocations within 10 s of starting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.ts';
import {
  SEED_POLICY_TEXT,
  TEST_BACKEND,
  seedActiveGrant,
  tempDir,
  testStoreLocation,
} from '../test-support.ts';

const bin = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const GRANTS = 20;

function startProcess(config: string): { child: ChildProcess; listening: Promise<void> } {
  const child = spawn(process.execPath, [bin, 'serve', '--config', config], { stdio: 'pipe' });
  const listening = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening on')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`broker exited ${String(code)} before listening`)),
    );
  });
  return { child, listening };
}

async function poll<T>(
  check: () => T | undefined | Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`kill -9 of the broker with grants falling due (${TEST_BACKEND})`, () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('revokes the grants that fell due while it was down within 10 s of the restart', async () => {
    const dir = tempDir();
    const location = await testStoreLocation();
    const policyPath = join(dir, 'policy.yaml');
    writeFileSync(policyPath, SEED_POLICY_TEXT);
    const config = join(dir, 'broker.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        issuers: [{ issuer: 'http://127.0.0.1:9/', audience: 'urn:hourglass:broker' }],
        policyPath,
        signingKeyPath: join(dir, 'key.jwk'),
        ...location,
      }),
    );
    const store = await openStore(location);
    const dueAt = Date.now() + 6000;
    for (let i = 0; i < GRANTS; i += 1) {
      await seedActiveGrant(store.db, `g${i}`, 6, new Date(dueAt - 6000));
    }

    const first = startProcess(config);
    children.push(first.child);
    await first.listening;
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;
    const active = () =>
      store.db.selectFrom('grants').select('id').where('status', '=', 'active').execute();
    expect(await active()).toHaveLength(GRANTS);
    await poll(() => (Date.now() > dueAt + 200 ? true : undefined), 10_000, 'the deadline');

    const started = Date.now();
    const second = startProcess(config);
    children.push(second.child);
    const revoked = await poll(
      async () => {
        const rows = await store.db
          .selectFrom('outbox')
          .select(['grant_id'])
          .where('action', '=', 'revoke')
          .where('done_at', 'is not', null)
          .execute();
        return rows.length === GRANTS ? rows : undefined;
      },
      10_000,
      'every revocation carried out',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(new Set(revoked.map((r) => r.grant_id)).size).toBe(GRANTS);
    expect(await active()).toHaveLength(0);
    const expired = await store.db
      .selectFrom('audit')
      .select('grant_id')
      .where('event', '=', 'expired')
      .execute();
    expect(expired).toHaveLength(GRANTS);
    await store.db.destroy();
  });
});
