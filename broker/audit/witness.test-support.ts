/**
 * Test support for the witness threat tests: a store a real lifecycle and checkpoint writer filled
 * (two checkpoints, each witnessed in a file), and raw SQL as an attacker with file or superuser
 * access runs it: the append-only triggers switched off first and put back after, so nothing in
 * the database shows they were ever gone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadOrCreateSigningKey } from '../credentials/signing-key.ts';
import { openStore } from '../store/open-store.ts';
import {
  ManualClock,
  SEED_POLICY_TEXT,
  tempDir,
  testLifecycle,
  testStoreLocation,
  testUser,
} from '../test-support.ts';
import { chainHash, GENESIS_HASH } from './audit-chain.ts';
import { startCheckpointWriter } from './checkpoint-writer.ts';
import type { EvidenceLocation } from './read-evidence.ts';
import { openWitnessFile } from './witness-sinks.ts';

/** When the seeded records were written: long before any test runs, past every cadence. */
export const SEEDED_AT = new Date('2020-01-01T00:00:00Z');

/** A witnessed store: records #1..#16, checkpoint 1 at #8, checkpoint 2 at #16, both witnessed. */
export interface WitnessedStore {
  where: { databasePath: string } | { databaseUrl: string };
  location: EvidenceLocation;
  keyPath: string;
  witnessFile: string;
  policyPath: string;
}

/** Fills a fresh store on the backend under test through the lifecycle and the checkpoint writer. */
export async function witnessedStore(): Promise<WitnessedStore> {
  const dir = tempDir();
  const where = await testStoreLocation();
  const { db } = await openStore(where);
  const keyPath = join(dir, 'key.jwk');
  const key = await loadOrCreateSigningKey(keyPath);
  const clock = new ManualClock(SEEDED_AT);
  const { service, repo } = testLifecycle(db, clock);
  const witnessFile = join(dir, 'witness', 'checkpoints.jsonl');
  mkdirSync(join(dir, 'witness'), { mode: 0o700 });
  const witness = openWitnessFile(witnessFile, undefined);
  const writer = startCheckpointWriter({
    repo,
    key,
    clock,
    intervalMs: 3_600_000,
    onError: (error) => {
      throw error;
    },
    witnesses: [{ witness, after: 0 }],
  });
  for (let i = 1; i <= 8; i += 1) {
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
    clock.advance(10_000);
    // requested + activated: 2 records a grant, so the checkpoints hold #8 and #16.
    if (i % 4 === 0) await writer.checkpoint();
  }
  writer.stop();
  witness.close();
  await db.destroy();
  const policyPath = join(dir, 'policy.yaml');
  writeFileSync(policyPath, SEED_POLICY_TEXT);
  const location: EvidenceLocation =
    'databaseUrl' in where
      ? { kind: 'postgres', url: where.databaseUrl }
      : { kind: 'sqlite', path: where.databasePath };
  return { where, location, keyPath, witnessFile, policyPath };
}

/** Raw SQL of the attacker, `$1` placeholders on both backends. */
export interface Attacker {
  run(text: string, values?: (string | number | null)[]): Promise<void>;
  rows<T>(text: string): Promise<T[]>;
}

const TABLES = ['audit', 'audit_checkpoints'];

/** Runs `attack` with the append-only triggers off, then puts them back as they were. */
export async function asAttacker(
  location: EvidenceLocation,
  attack: (sql: Attacker) => Promise<void>,
): Promise<void> {
  if (location.kind === 'sqlite') {
    const db = new Database(location.path);
    try {
      const triggers = db
        .prepare(
          `select name, sql from sqlite_master where type = 'trigger' and tbl_name in ('audit', 'audit_checkpoints')`,
        )
        .all() as { name: string; sql: string }[];
      for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
      await attack({
        run: (text, values = []) => {
          db.prepare(text.replace(/\$\d+/g, '?')).run(...values);
          return Promise.resolve();
        },
        rows: <T>(text: string) => Promise.resolve(db.prepare(text).all() as T[]),
      });
      for (const t of triggers) db.exec(t.sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    for (const table of TABLES) await client.query(`alter table ${table} disable trigger user`);
    await attack({
      run: async (text, values = []) => void (await client.query(text, values)),
      rows: async <T>(text: string) => (await client.query(text)).rows as T[],
    });
    for (const table of TABLES) await client.query(`alter table ${table} enable trigger user`);
  } finally {
    await client.end();
  }
}

/** Every record re-hashed with the project's own function, one of them altered first. */
export async function rehashEverything(sql: Attacker): Promise<void> {
  const rows = await sql.rows<{
    seq: number;
    at: string;
    event: string;
    grant_id: string | null;
    actor: string;
    role: string | null;
    details: string;
  }>('select seq, at, event, grant_id, actor, role, details from audit order by seq');
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const actor = row.seq === 3 ? 'https://idp#nobody' : row.actor;
    const hash = chainHash(prev, {
      seq: row.seq,
      at: row.at,
      event: row.event,
      grantId: row.grant_id,
      actor,
      role: row.role,
      details: row.details,
    });
    await sql.run('update audit set actor = $1, prev_hash = $2, hash = $3 where seq = $4', [
      actor,
      prev,
      hash,
      row.seq,
    ]);
    prev = hash;
  }
}
