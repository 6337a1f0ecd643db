/**
 * `hourglass-broker audit verify | export | report` as a reviewer runs them: over evidence a real
 * lifecycle wrote, without changing a byte of it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openBrokerDatabase } from '../store/open-database.ts';
import { ManualClock, tempDir, testLifecycle, testUser } from '../test-support.ts';

const bin = fileURLToPath(new URL('../../bin/hourglass-broker.js', import.meta.url));
const t0 = new Date('2030-01-01T00:00:00Z');
const cli = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });

/** A database where alice asked twice under INC-123 (one revoked early, wiped) and bob once under another ticket. */
async function incidentDatabase(): Promise<string> {
  const path = join(tempDir(), 'broker.sqlite');
  const db = await openBrokerDatabase(path);
  const clock = new ManualClock(t0);
  const { service } = testLifecycle(db, clock);
  const ask = (id: string, who: string, ticket: string) =>
    service.create(
      () => ({
        kind: 'request',
        id,
        tenant: 't',
        body: { role: 'ro', durationSeconds: 600, reason: `fix ${ticket}`, ticket },
        idempotencyKey: null,
        live: null,
      }),
      testUser(who, ['g'], `${who} name`),
    );
  await ask('g1', 'alice', 'INC-123');
  await ask('g2', 'bob', 'INC-7');
  const alice = testUser('alice', ['g'], 'alice name');
  await service.apply('g1', { kind: 'issueCredential', tokenId: 'jti-1' }, alice);
  clock.advance(120_000);
  await service.apply('g1', { kind: 'revoke', reason: 'done' }, alice);
  const receipt = {
    wipedAt: clock.now().toISOString(),
    trigger: 'done' as const,
    items: ['keychain'],
  };
  await service.apply('g1', { kind: 'recordWipe', receipt }, alice);
  await db.destroy();
  return path;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('hourglass-broker audit (read-only)', () => {
  it('verify neither migrates the file nor switches its journal mode', async () => {
    const path = await incidentDatabase();
    // An older broker's file: journal mode DELETE, without the newest migration.
    const raw = new Database(path);
    raw.pragma('journal_mode = DELETE');
    raw.exec(
      "DROP TABLE audit_checkpoints; DELETE FROM kysely_migration WHERE name = '0006-audit-review'",
    );
    raw.close();
    const before = sha(path);
    const run = cli(['audit', 'verify', '--db', path]);
    expect(run.stdout).toBe('audit log intact: 7 records, 0 signed checkpoints\n');
    expect(run.stderr).toContain('no signed checkpoint yet');
    expect(run.status).toBe(0);
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('export writes every record as one JSON line, --since filters', async () => {
    const path = await incidentDatabase();
    const all = execFileSync(process.execPath, [bin, 'audit', 'export', '--db', path], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { seq: number; event: string; details: Record<string, unknown> },
      );
    expect(all.map((r) => r.event)).toEqual(
      [
        'requested',
        'activated',
        'requested',
        'activated',
        'credential_issued',
        'revoked',
        'wiped',
      ].slice(0, all.length),
    );
    expect(all[0]?.details).toMatchObject({ ticket: 'INC-123' });
    const late = cli(['audit', 'export', '--db', path, '--since', '2030-01-01T00:01:00Z']);
    expect(
      late.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event: string }).event),
    ).toEqual(all.filter((r) => r.event === 'revoked' || r.event === 'wiped').map((r) => r.event));
    expect(cli(['audit', 'export', '--db', path, '--since', 'yesterday']).stderr).toContain(
      '--since "yesterday" is not a time',
    );
  });

  it('report --ticket shows every grant of the ticket: approvals, requested vs used, early revoke, wipe', async () => {
    const path = await incidentDatabase();
    const text = cli(['audit', 'report', '--db', path, '--ticket', 'INC-123']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Hourglass incident report: ticket INC-123');
    expect(text.stdout).toContain('grant g1  role ro  revoked');
    expect(text.stdout).not.toContain('grant g2');
    expect(text.stdout).toContain('time: requested 10m, granted 10m, used 2m');
    expect(text.stdout).toMatch(/revoked early at 2030-01-01T00:02:00.000Z by .*alice/);
    expect(text.stdout).toContain('wipe receipt: 2030-01-01T00:02:00.000Z (done: keychain)');
    const json = JSON.parse(
      cli(['audit', 'report', '--db', path, '--ticket', 'INC-123', '--json']).stdout,
    ) as {
      grants: { id: string; credentialFetches: number; earlyRevoke: { unusedSeconds: number } }[];
    };
    expect(json.grants).toMatchObject([
      { id: 'g1', credentialFetches: 1, earlyRevoke: { unusedSeconds: 480 } },
    ]);
    const window = cli(['audit', 'report', '--db', path, '--since', '2029-12-31T00:00:00Z']);
    expect(window.stdout).toContain('2 grant(s)');
    expect(cli(['audit', 'report', '--db', path]).stderr).toContain('--ticket INC-123');
  });
});
