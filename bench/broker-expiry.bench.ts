/**
 * `expiry`: 10,000 active grants fall due within the same second on a running broker (SQLite);
 * revocation lateness = when the revoke effect was carried out minus the grant's deadline.
 * Goal: p99 ≤ 1 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBrokerConfig } from '../broker/config.ts';
import { startBroker } from '../broker/start-broker.ts';
import { openBrokerDatabase } from '../broker/store/open-database.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { quantile } from './revoke-wipe.bench.ts';
import { seedGrants } from './seed-grants.ts';

const GRANTS = Number(process.env.HOURGLASS_BENCH_EXPIRY_GRANTS ?? 10_000);
const GOAL_P99_S = 1;

/** Runs the bench; true when revocation lateness p99 ≤ 1 s. */
export async function benchExpiry(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-bench-'));
  const databasePath = join(dir, 'broker.sqlite');
  const db = await openBrokerDatabase(databasePath);
  // All due within one second, a few seconds after the broker has started.
  const dueAt = Date.now() + 8000;
  await seedGrants(db, GRANTS, 'http://127.0.0.1:9', (i) => new Date(dueAt + ((i * 997) % 1000)));
  await db.destroy();
  const parsed = parseBrokerConfig({
    issuers: [{ issuer: 'http://127.0.0.1:9', audience: BROKER_AUDIENCE }],
    policyPath: DEMO_POLICY_PATH,
    databasePath,
    signingKeyPath: join(dir, 'key.jwk'),
  });
  if (parsed.status === 'error') throw new Error(parsed.message);
  const broker = await startBroker(parsed.config);
  try {
    if (Date.now() >= dueAt)
      throw new Error('seeding took too long: the grants fell due before the broker ran');
    for (;;) {
      const done = await broker.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('action', '=', 'revoke')
        .where('done_at', 'is not', null)
        .executeTakeFirstOrThrow();
      if (Number(done.n) >= GRANTS) break;
      if (Date.now() > dueAt + 120_000)
        throw new Error(`only ${String(done.n)} revoked after 2 min`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rows = await broker.db
      .selectFrom('outbox')
      .innerJoin('grants', 'grants.id', 'outbox.grant_id')
      .select(['outbox.done_at', 'grants.expires_at'])
      .where('outbox.action', '=', 'revoke')
      .execute();
    const lateness = rows.map(
      (r) => (Date.parse(r.done_at ?? '') - Date.parse(r.expires_at ?? '')) / 1000,
    );
    const p50 = quantile(lateness, 0.5);
    const p99 = quantile(lateness, 0.99);
    const ok = p99 <= GOAL_P99_S;
    console.log(
      `expiry: ${GRANTS} grants due within 1 s, revocation lateness p50 ${p50.toFixed(2)} s, p99 ${p99.toFixed(2)} s, max ${Math.max(...lateness).toFixed(2)} s (goal p99 ≤ ${GOAL_P99_S} s) ${ok ? 'ok' : 'OVER GOAL'}`,
    );
    return ok;
  } finally {
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('broker-expiry.bench.ts')) {
  process.exitCode = (await benchExpiry()) ? 0 : 1;
}
