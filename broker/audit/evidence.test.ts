/**
 * Tamper evidence beyond one row, on the backend under test: a lifecycle writes records and signed
 * checkpoints; then each kind of tampering (update, delete, reorder, truncated tail, the whole
 * chain re-hashed with the project's own function, a forged checkpoint, dropped triggers) is
 * detected and named by the read-only verifier.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { JWK } from 'jose';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey } from '../credentials/signing-key.ts';
import { openStore } from '../store/open-store.ts';
import {
  ManualClock,
  TEST_BACKEND,
  tempDir,
  testLifecycle,
  testStoreLocation,
  testUser,
} from '../test-support.ts';
import { chainHash } from './audit-chain.ts';
import { signCheckpoint, checkpointVerifier } from './checkpoint.ts';
import { inspectEvidence } from './evidence.ts';
import { readEvidence, type EvidenceLocation } from './read-evidence.ts';

const t0 = new Date('2030-01-01T00:00:00Z');

/** Raw SQL as an attacker with write access runs it: the append-only triggers switched off first. */
interface Tamper {
  run(text: string, values?: (string | number)[]): Promise<void>;
  rows<T>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

async function tamperer(location: EvidenceLocation): Promise<Tamper> {
  if (location.kind === 'sqlite') {
    const db = new Database(location.path);
    db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    return {
      run: (text, values = []) => {
        db.prepare(text.replace(/\$\d+/g, '?')).run(...values);
        return Promise.resolve();
      },
      rows: <T>(text: string) => Promise.resolve(db.prepare(text).all() as T[]),
      close: () => Promise.resolve(void db.close()),
    };
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  await client.query('alter table audit disable trigger user');
  return {
    run: async (text, values = []) => void (await client.query(text, values)),
    rows: async <T>(text: string) => (await client.query(text)).rows as T[],
    close: () => client.end(),
  };
}

async function seeded(): Promise<{ location: EvidenceLocation; jwk: JWK }> {
  const where = await testStoreLocation();
  const { db } = await openStore(where);
  const keyPath = join(tempDir(), 'key.jwk');
  const key = await loadOrCreateSigningKey(keyPath);
  const clock = new ManualClock(t0);
  const { service, repo } = testLifecycle(db, clock);
  for (let i = 1; i <= 4; i += 1) {
    await service.create(
      () => ({
        kind: 'request',
        id: `g${i}`,
        tenant: 't',
        body: { role: 'ro', durationSeconds: 600, reason: `r${i}`, ticket: 'INC-9' },
        idempotencyKey: null,
        live: null,
      }),
      testUser(`u${i}`, ['g']),
    );
    clock.advance(1000);
    // A checkpoint after every grant: requested + activated = 2 records each.
    await repo.appendCheckpoint(clock.now(), key.kid, (p) => signCheckpoint(p, key));
  }
  await db.destroy();
  const location: EvidenceLocation =
    'databaseUrl' in where
      ? { kind: 'postgres', url: where.databaseUrl }
      : { kind: 'sqlite', path: where.databasePath };
  return { location, jwk: JSON.parse(readFileSync(keyPath, 'utf8')) as JWK };
}

async function inspect(location: EvidenceLocation, jwk: JWK) {
  const evidence = await readEvidence(location);
  return inspectEvidence({ ...evidence, verify: await checkpointVerifier(jwk) });
}

const kinds = (report: Awaited<ReturnType<typeof inspect>>) => report.problems.map((p) => p.kind);

describe(`audit evidence (${TEST_BACKEND})`, () => {
  it('an untouched log with its checkpoints is intact', async () => {
    const { location, jwk } = await seeded();
    const report = await inspect(location, jwk);
    expect(report).toMatchObject({ records: 8, checkpoints: 4, problems: [], notes: [] });
  });

  it('names an updated record', async () => {
    const { location, jwk } = await seeded();
    const t = await tamperer(location);
    await t.run(`update audit set actor = 'someone else' where seq = 3`);
    await t.close();
    const report = await inspect(location, jwk);
    expect(kinds(report)).toEqual(['altered_record', 'missing_triggers']);
    expect(report.problems[0]?.message).toContain('audit record #3 (requested, grant g2)');
  });

  it('names a deleted record as a gap', async () => {
    const { location, jwk } = await seeded();
    const t = await tamperer(location);
    await t.run('delete from audit where seq = 5');
    await t.close();
    const report = await inspect(location, jwk);
    expect(kinds(report)).toEqual(['sequence_gap', 'broken_link', 'missing_triggers']);
    expect(report.problems[0]?.message).toBe('records #5 are missing (deleted) before #6');
  });

  it('names records moved out of order (contents swapped between two rows)', async () => {
    const { location, jwk } = await seeded();
    const t = await tamperer(location);
    const [a, b] = await t.rows<{ seq: number; actor: string; details: string }>(
      'select seq, actor, details from audit where seq in (3, 4) order by seq',
    );
    if (!a || !b) throw new Error('seed');
    await t.run('update audit set actor = $1, details = $2 where seq = 3', [b.actor, b.details]);
    await t.run('update audit set actor = $1, details = $2 where seq = 4', [a.actor, a.details]);
    await t.close();
    expect(kinds(await inspect(location, jwk))).toContain('altered_record');
  });

  it('names a truncated tail by the signed checkpoint that covered it', async () => {
    const { location, jwk } = await seeded();
    const t = await tamperer(location);
    await t.run('delete from audit where seq > 6');
    await t.close();
    const report = await inspect(location, jwk);
    expect(kinds(report)).toEqual(['truncated_tail', 'missing_triggers']);
    expect(report.problems[0]?.message).toMatch(
      /checkpoint #4 .* covers records up to #8 but the log ends at #6: records were removed from the tail/,
    );
  });

  it("names a chain re-hashed end to end with the project's own function", async () => {
    const { location, jwk } = await seeded();
    const t = await tamperer(location);
    const rows = await t.rows<{
      seq: number;
      at: string;
      event: string;
      grant_id: string | null;
      actor: string;
      role: string | null;
      details: string;
    }>('select seq, at, event, grant_id, actor, role, details from audit order by seq');
    let prev = '0'.repeat(64);
    for (const row of rows) {
      const actor = row.seq === 2 ? 'https://idp#nobody' : row.actor;
      const hash = chainHash(prev, {
        seq: row.seq,
        at: row.at,
        event: row.event,
        grantId: row.grant_id,
        actor,
        role: row.role,
        details: row.details,
      });
      await t.run('update audit set actor = $1, prev_hash = $2, hash = $3 where seq = $4', [
        actor,
        prev,
        hash,
        row.seq,
      ]);
      prev = hash;
    }
    await t.close();
    const report = await inspect(location, jwk);
    expect(kinds(report)).toEqual([
      'rewritten_chain',
      'rewritten_chain',
      'rewritten_chain',
      'rewritten_chain',
      'missing_triggers',
    ]);
    expect(report.problems[0]?.message).toContain('the chain was rewritten (re-hashed)');
  });

  it('names a checkpoint not signed by the broker key', async () => {
    const { location, jwk } = await seeded();
    const other = await loadOrCreateSigningKey(join(tempDir(), 'other.jwk'));
    const forged = await signCheckpoint({ at: t0.toISOString(), headSeq: 8, headHash: 'x' }, other);
    const t = await tamperer(location);
    await t.run(
      'insert into audit_checkpoints (at, head_seq, head_hash, kid, signature) values ($1, 8, $2, $3, $4)',
      [t0.toISOString(), 'x', other.kid, forged],
    );
    await t.close();
    const report = await inspect(location, jwk);
    expect(kinds(report)).toEqual(['bad_checkpoint', 'missing_triggers']);
  });
});
