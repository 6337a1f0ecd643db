/** Test helpers shared by broker tests: a temp SQLite database and a movable clock. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { decideRequest } from './policy/decide.ts';
import { parsePolicyText } from './policy/load-policy.ts';
import type { Clock } from './ports.ts';
import { insertGrant } from './store/grant-store.ts';
import type { BrokerDatabase } from './store/schema.ts';

/** A fresh temp directory for a test's files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hourglass-broker-'));
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
}

const SEED_POLICY =
  'tenant: t\nroles:\n  - name: ro\n    provider: { kind: jwt, audience: a }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n';

/** Stores an active grant `id` of role `ro` for alice, `seconds` long from `now`, through the policy. */
export async function seedActiveGrant(
  db: Kysely<BrokerDatabase>,
  id: string,
  seconds: number,
  now: Date,
): Promise<void> {
  const parsed = parsePolicyText(SEED_POLICY, 'seed.yaml');
  if (parsed.status !== 'success') throw new Error(parsed.message);
  const d = decideRequest(
    parsed.policy,
    { subject: 'alice', groups: ['g'] },
    { role: 'ro', durationSeconds: seconds, reason: 'r' },
    now,
  );
  if (d.status !== 'grant') throw new Error('expected a grant');
  await insertGrant(db, {
    id,
    tenant: 't',
    owner: { issuer: 'https://idp', subject: 'alice' },
    plan: d.plan,
    reason: 'r',
    ticket: null,
    now,
  });
}
