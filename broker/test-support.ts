/**
 * Test helpers shared by broker tests: a fresh database on the backend under test, a movable
 * clock, a lifecycle on it. `HOURGLASS_TEST_STORE=postgres` runs the suite on PostgreSQL (a fresh
 * schema per database in `HOURGLASS_TEST_PG_URL`, from scripts/with-services.sh); SQLite otherwise.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import {
  GrantService,
  type CommitHooks,
  type GrantServiceDeps,
} from './lifecycle/grant-service.ts';
import type { UserActor } from './lifecycle/transition-types.ts';
import { parsePolicyText } from './policy/load-policy.ts';
import type { Policy } from './policy/policy-schema.ts';
import type { Clock } from './ports.ts';
import type { GrantRepository } from './store/grant-repository.ts';
import type { BrokerDatabase } from './store/schema.ts';
import { openBrokerDatabase } from './store/open-database.ts';
import { openPostgresDatabase, repositoryFor } from './store/open-store.ts';
import type { StoreBackend } from './store/store-dialect.ts';

/** The backend this test run stores in. */
export const TEST_BACKEND: StoreBackend =
  process.env.HOURGLASS_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** The test cluster's URL; throws with the fix when the run has none. */
export function testPgUrl(): string {
  const url = process.env.HOURGLASS_TEST_PG_URL;
  if (!url) throw new Error('HOURGLASS_TEST_PG_URL is unset: run through scripts/with-services.sh');
  return url;
}

/** A fresh name, created in the cluster at `base` by `create`. */
async function createInCluster(base: string, create: (name: string) => string): Promise<string> {
  const name = `hg_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(create(name));
  } finally {
    await client.end();
  }
  return name;
}

/** A URL of a fresh, empty schema in the cluster at `base` (its own search_path). */
export async function freshPgUrl(base: string = testPgUrl()): Promise<string> {
  const schema = await createInCluster(base, (name) => `create schema ${name}`);
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** A URL of a fresh, empty database in the cluster at `base` (tenants may not share one). */
export async function freshPgDatabaseUrl(base: string = testPgUrl()): Promise<string> {
  const url = new URL(base);
  url.pathname = `/${await createInCluster(base, (name) => `create database ${name}`)}`;
  return url.href;
}

/** Where one tenant of a broker under test stores: a fresh SQLite file or PostgreSQL database. */
export async function testTenantStoreLocation(): Promise<
  { databasePath: string } | { databaseUrl: string }
> {
  return TEST_BACKEND === 'sqlite'
    ? { databasePath: join(tempDir(), 'broker.sqlite') }
    : { databaseUrl: await freshPgDatabaseUrl() };
}

/** Where a broker under test stores: a fresh SQLite file or a fresh PostgreSQL schema. */
export async function testStoreLocation(): Promise<
  { databasePath: string } | { databaseUrl: string }
> {
  return TEST_BACKEND === 'sqlite'
    ? { databasePath: join(tempDir(), 'broker.sqlite') }
    : { databaseUrl: await freshPgUrl() };
}

/** The seed policy's text (role `ro`, group `g`), for a policy file. */
export const SEED_POLICY_TEXT =
  'tenant: t\nroles:\n  - name: ro\n    provider: { kind: jwt, audience: a }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n';

/** A fresh database on the backend under test (a temp SQLite file or a fresh PostgreSQL schema). */
export async function openTestDatabase(): Promise<Kysely<BrokerDatabase>> {
  if (TEST_BACKEND === 'sqlite') return openBrokerDatabase(join(tempDir(), 'b.sqlite'));
  return openPostgresDatabase(await freshPgUrl(), 4);
}

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

const SEED_POLICY = SEED_POLICY_TEXT;

/** Parses policy text or throws. */
export function testPolicy(text: string = SEED_POLICY): Policy {
  const parsed = parsePolicyText(text, 'test.yaml');
  if (parsed.status !== 'success') throw new Error(parsed.message);
  return parsed.policy;
}

/** A user actor for tests: `issuer` https://idp. */
export function testUser(subject: string, groups: string[], name: string | null = null): UserActor {
  return { kind: 'user', issuer: 'https://idp', subject, name, groups, sessionEndsAt: null };
}

/** The repository and lifecycle service over `db`, without the shell's hooks. */
export function testLifecycle(
  db: Kysely<BrokerDatabase>,
  clock: Clock,
  policy: Policy = testPolicy(),
  hooks: Partial<CommitHooks> = {},
  webhooks?: GrantServiceDeps['webhooks'],
): { repo: GrantRepository; service: GrantService; policy: Policy } {
  const repo = repositoryFor(db);
  const service = new GrantService({
    repo,
    policy,
    clock,
    wipeGraceSeconds: 120,
    hooks: {
      eventsCommitted: hooks.eventsCommitted ?? (() => undefined),
      effectsQueued: hooks.effectsQueued ?? (() => undefined),
      deadlineChanged: hooks.deadlineChanged ?? (() => undefined),
    },
    ...(webhooks ? { webhooks } : {}),
  });
  return { repo, service, policy };
}

/** Requests role `role` as `actor` through the lifecycle; returns the stored grant or throws. */
export async function seedRequest(
  service: GrantService,
  actor: UserActor,
  input: { id: string; role: string; seconds: number; ticket?: string },
): Promise<void> {
  const result = await service.create(
    (live) => ({
      kind: 'request',
      id: input.id,
      tenant: 't',
      body: {
        role: input.role,
        durationSeconds: input.seconds,
        reason: 'r',
        ...(input.ticket ? { ticket: input.ticket } : {}),
      },
      idempotencyKey: null,
      live,
    }),
    actor,
  );
  if (result.ok !== true) throw new Error(`seed failed: ${JSON.stringify(result)}`);
}

/** Stores an active grant `id` of role `ro` for alice, `seconds` long from `now`, through the policy. */
export async function seedActiveGrant(
  db: Kysely<BrokerDatabase>,
  id: string,
  seconds: number,
  now: Date,
): Promise<void> {
  const { service } = testLifecycle(db, { now: () => now });
  // Each seeded grant is its own role instance: a second live `ro` grant would be refused.
  await service.create(
    () => ({
      kind: 'request',
      id,
      tenant: 't',
      body: { role: 'ro', durationSeconds: seconds, reason: 'r' },
      idempotencyKey: null,
      live: null,
    }),
    testUser(`alice-${id}`, ['g']),
  );
}
