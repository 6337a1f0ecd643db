/**
 * Issue 18, finding 3: tamper evidence must not end where the database ends. An attacker with file
 * (or superuser) access switches the append-only triggers off, cuts or rewrites the log and its
 * checkpoints, and puts the triggers back. Each attack is detected by `audit verify` against the
 * witness kept outside the database, and the broker refuses to start on the store; the attacks a
 * database alone cannot reveal are named as such, and `--strict` refuses to call them intact.
 * Runs on the backend under test (HOURGLASS_TEST_STORE=postgres for PostgreSQL).
 */
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBrokerConfig } from '../config.ts';
import { startBroker } from '../start-broker.ts';
import { ManualClock, TEST_BACKEND, tempDir } from '../test-support.ts';
import { auditVerify } from './audit-cli.ts';
import {
  asAttacker,
  rehashEverything,
  SEEDED_AT,
  witnessedStore,
  type Attacker,
  type WitnessedStore,
} from './witness.test-support.ts';

/** A day after the records were written: every one of them is past the 60 s cadence. */
const later = new Date(SEEDED_AT.getTime() + 86_400_000);

async function verify(
  store: WitnessedStore,
  extra: { witness?: boolean; strict?: boolean } = {},
): Promise<{ code: number; out: string; notes: string }> {
  const out: string[] = [];
  const notes: string[] = [];
  const code = await auditVerify(
    {
      ...(store.location.kind === 'sqlite'
        ? { db: store.location.path }
        : { url: store.location.url }),
      key: store.keyPath,
      checkpointSeconds: '60',
      ...(extra.witness ? { witness: store.witnessFile } : {}),
      ...(extra.strict ? { strict: true } : {}),
    },
    (line) => out.push(line),
    (line) => notes.push(line),
    later,
  );
  return { code, out: out.join('\n'), notes: notes.join('\n') };
}

/** Starts the broker on the store with its witness file; resolves to the refusal, or 'started'. */
async function startOn(store: WitnessedStore): Promise<string> {
  const parsed = parseBrokerConfig({
    issuers: [{ issuer: 'http://127.0.0.1:9', audience: 'urn:hourglass:broker' }],
    policyPath: store.policyPath,
    ...store.where,
    signingKeyPath: store.keyPath,
    auditWitness: { file: store.witnessFile },
  });
  if (parsed.status === 'error') throw new Error(parsed.message);
  const errors: unknown[] = [];
  try {
    const broker = await startBroker(parsed.config, {
      clock: new ManualClock(later),
      onInternalError: (error) => errors.push(error),
    });
    await broker.close();
  } catch (error) {
    return error instanceof Error ? error.message : 'refused';
  }
  expect(errors).toEqual([]);
  return 'started';
}

interface Attack {
  threat: string;
  run: (sql: Attacker) => Promise<void>;
  /** What the witness comparison names. */
  withWitness: string[];
  /** What the database alone shows (empty: nothing, a blind spot without a witness). */
  alone: string[];
}

const attacks: Attack[] = [
  {
    threat: 'tail truncation: the last records deleted with the checkpoint covering them',
    run: async (sql) => {
      await sql.run('delete from audit where seq > 12');
      await sql.run('delete from audit_checkpoints where head_seq > 12');
    },
    withWitness: ['unsigned_records', 'behind_witness', 'checkpoint_removed'],
    alone: ['unsigned_records'],
  },
  {
    threat: 'every checkpoint deleted',
    run: (sql) => sql.run('delete from audit_checkpoints'),
    withWitness: ['unsigned_records', 'checkpoint_removed'],
    alone: ['unsigned_records'],
  },
  {
    threat: "the whole chain re-hashed with the project's own function, checkpoints deleted",
    run: async (sql) => {
      await rehashEverything(sql);
      await sql.run('delete from audit_checkpoints');
    },
    withWitness: ['unsigned_records', 'rewritten_chain', 'rewritten_chain', 'checkpoint_removed'],
    alone: ['unsigned_records'],
  },
  {
    threat: 'checkpoint 1 kept, records #9..#16 and checkpoint 2 deleted',
    run: async (sql) => {
      await sql.run('delete from audit where seq >= 9');
      await sql.run('delete from audit_checkpoints where head_seq > 8');
    },
    withWitness: ['behind_witness', 'checkpoint_removed'],
    alone: [],
  },
  {
    threat: 'wholesale deletion: every record and checkpoint deleted',
    run: async (sql) => {
      await sql.run('delete from audit');
      await sql.run('delete from audit_checkpoints');
    },
    withWitness: ['behind_witness', 'checkpoint_removed'],
    alone: [],
  },
];

const kinds = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':')[0]);

describe(`audit witness outside the database (${TEST_BACKEND})`, () => {
  it('an untouched store matches its witness, and the broker starts on it', async () => {
    const store = await witnessedStore();
    expect(statSync(store.witnessFile).mode & 0o777).toBe(0o600);
    expect(await verify(store, { witness: true })).toMatchObject({
      code: 0,
      out: `audit log intact: 16 records, 2 signed checkpoints; it holds everything its witness ${store.witnessFile} saw`,
    });
    expect(await startOn(store)).toBe('started');
    expect((await verify(store, { witness: true })).code).toBe(0);
  });

  for (const attack of attacks) {
    it(`detects ${attack.threat}, with the triggers switched off and put back`, async () => {
      const store = await witnessedStore();
      await asAttacker(store.location, attack.run);

      const witnessed = await verify(store, { witness: true });
      expect(witnessed.code).toBe(2);
      expect(kinds(witnessed.out)).toEqual(attack.withWitness);

      const alone = await verify(store);
      if (attack.alone.length > 0) {
        expect(alone.code).toBe(2);
        expect(kinds(alone.out)).toEqual(attack.alone);
        expect(alone.out).toContain(
          'have no signed checkpoint, though the broker signs one every 60s',
        );
      } else {
        // What the database alone cannot show is said plainly, and --strict does not pass it.
        expect(alone.code).toBe(0);
        expect(alone.notes).toContain('this check cannot detect');
        expect(alone.notes).toContain('the whole log deleted');
        expect((await verify(store, { strict: true })).code).toBe(3);
      }

      const refusal = await startOn(store);
      expect(refusal).toContain(
        'the broker: refusing to start: the audit store is behind its witness',
      );
      expect(refusal).toContain('restore the store from a backup');
      // The witness was not extended from the cut store.
      expect((await verify(store, { witness: true })).code).toBe(2);
    });
  }

  it('audit verify --config compares with the configured witness file and cadence', async () => {
    const store = await witnessedStore();
    await asAttacker(store.location, attacks[3]?.run ?? (() => Promise.resolve()));
    const config = join(tempDir(), 'broker.json');
    writeFileSync(
      config,
      JSON.stringify({
        issuers: [{ issuer: 'http://127.0.0.1:9', audience: 'urn:hourglass:broker' }],
        policyPath: store.policyPath,
        ...store.where,
        signingKeyPath: store.keyPath,
        auditCheckpointSeconds: 60,
        auditWitness: { file: store.witnessFile },
      }),
    );
    const out: string[] = [];
    expect(
      await auditVerify(
        { config },
        (l) => out.push(l),
        () => undefined,
        later,
      ),
    ).toBe(2);
    expect(kinds(out.join('\n'))).toEqual(['behind_witness', 'checkpoint_removed']);
  });

  it('detects a witness line removed from the middle (the witness chain is signed)', async () => {
    const store = await witnessedStore();
    const [first, second] = readFileSync(store.witnessFile, 'utf8').trim().split('\n');
    writeFileSync(store.witnessFile, `${second ?? ''}\n`);
    expect((await verify(store, { witness: true })).code).toBe(0);
    writeFileSync(store.witnessFile, `${second ?? ''}\n${first ?? ''}\n`);
    const swapped = await verify(store, { witness: true });
    expect(swapped.code).toBe(2);
    expect(kinds(swapped.out)).toContain('witness_broken');
    appendFileSync(store.witnessFile, 'not json\n');
    expect((await verify(store, { witness: true })).out).toContain(
      ':3: not a witnessed checkpoint line',
    );
  });
});
