/**
 * Issue 18, finding 7: objects made with a temporary PostgreSQL login outlived its revocation. A
 * large object made through `hourglass exec` was reassigned to the admin role at revoke (a
 * superuser in the demo); where the group role may create, a SECURITY DEFINER function became the
 * superuser's. Now revoke drops what the login owns in every database, and the broker provisions
 * with the documented least-privileged role (provisioner-role.ts), which is no superuser.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresCredentialSchema } from '../../../protocol/index.ts';
import type { BoundProvider } from '../../credentials/provider.ts';
import { loadOrCreateSigningKey } from '../../credentials/signing-key.ts';
import { createOutboxWorker, type OutboxWorker } from '../../lifecycle/outbox-worker.ts';
import type { GrantService } from '../../lifecycle/grant-service.ts';
import type { GrantRepository } from '../../store/grant-repository.ts';
import {
  ManualClock,
  openTestDatabase,
  seedRequest,
  tempDir,
  testLifecycle,
  testPgUrl,
  testPolicy,
  testUser,
} from '../../test-support.ts';
import { startProviders } from '../registry.ts';
import { createPgTarget, type PgTargetFixture } from './pg-target.fixture.ts';

let target: PgTargetFixture;
let otherUrl: string;
const otherDatabase = `hg_other_${String(process.pid)}`;
const alice = testUser('alice', ['g']);

async function runSql<T extends pg.QueryResultRow>(url: string, sql: string, values?: unknown[]) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const urlOf = (base: string, database: string) => {
  const url = new URL(base);
  url.pathname = `/${database}`;
  url.search = '';
  return url.toString();
};

beforeAll(async () => {
  target = await createPgTarget();
  // A second database the login may connect to (PUBLIC has CONNECT, as by default).
  await runSql(testPgUrl(), `CREATE DATABASE ${otherDatabase}`);
  otherUrl = urlOf(target.superuserUrl, otherDatabase);
}, 20_000);
afterAll(async () => {
  await runSql(testPgUrl(), `DROP DATABASE IF EXISTS ${otherDatabase} WITH (FORCE)`).catch(
    () => undefined,
  );
  await target?.drop();
});

interface Broker {
  repo: GrantRepository;
  service: GrantService;
  worker: OutboxWorker;
  postgres: BoundProvider;
  errors: string[];
  close(): Promise<void>;
}

/** The lifecycle, the providers and the outbox worker, with `adminUrl` as the target's admin. */
async function brokerWith(adminUrl: string, clock: ManualClock): Promise<Broker> {
  const policy = testPolicy(
    `tenant: t\nroles:\n  - name: pg-rw\n    provider: { kind: postgres, target: orders, role: ${target.groupRole} }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n`,
  );
  // Its own broker database: one test's failing outbox entry does not reach the next.
  const db = await openTestDatabase();
  const { repo, service } = testLifecycle(db, clock, policy);
  const providers = await startProviders({
    repo,
    clock,
    signingKey: await loadOrCreateSigningKey(join(tempDir(), 'k.jwk')),
    publicUrl: () => 'http://127.0.0.1:1',
    policyRoles: policy.roles,
    targets: { orders: { kind: 'postgres', adminUrl: { env: 'ADMIN' } } },
    env: { ADMIN: adminUrl },
  });
  const postgres = providers.get('postgres');
  if (!postgres) throw new Error('no postgres provider');
  const errors: string[] = [];
  const worker = createOutboxWorker({
    repo,
    providers,
    clock,
    random: () => 1,
    onError: (error) => errors.push(error instanceof Error ? error.message : String(error)),
  });
  const close = async () => {
    for (const provider of providers.values()) await provider.close();
    await db.destroy();
  };
  return { repo, service, worker, postgres, errors, close };
}

/** The temporary login's credential, as the owner's fetch hands it out. */
async function loginOf(broker: Broker, grantId: string, now: Date) {
  const grant = await broker.repo.findGrant(grantId);
  if (!grant) throw new Error(`no grant ${grantId}`);
  const credential = postgresCredentialSchema.parse(
    await broker.postgres.credential({ grant, body: {}, tokenId: 'tok', now }),
  );
  return { user: credential.user, password: credential.password };
}

/** Connects as the temporary login to `url`'s database. */
async function connectAs(login: { user: string; password: string }, url: string) {
  const at = new URL(url);
  at.username = login.user;
  at.password = login.password;
  const client = new pg.Client({ connectionString: at.toString() });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const roleExists = async (name: string) =>
  (await target.admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length > 0;

/** Large objects with these oids in the database at `url` (as the superuser). */
const largeObjects = async (url: string, oids: number[]) =>
  (
    await runSql<{ oid: number }>(
      url,
      'SELECT oid::int AS oid FROM pg_largeobject_metadata WHERE oid = ANY($1::oid[])',
      [oids],
    )
  ).map((row) => row.oid);

/** A target where the group role may create: a fresh schema it has CREATE on. */
async function scratchSchema(name: string): Promise<string> {
  await target.admin(
    `CREATE SCHEMA ${name}; GRANT USAGE, CREATE ON SCHEMA ${name} TO ${target.groupRole}`,
  );
  return name;
}

/** What is left in `schema` of the target database, with its owner. */
const objectsIn = (schema: string) =>
  target.admin<{ name: string; owner: string }>(
    `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
      WHERE c.relnamespace = $1::regnamespace
     UNION ALL
     SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p
      WHERE p.pronamespace = $1::regnamespace
     ORDER BY name`,
    [schema],
  );

/** Everything the provisioning role owns or was granted, in any database of the cluster. */
const provisionerHoldings = async () =>
  target.admin<{ datname: string | null; deptype: string }>(
    `SELECT d.datname, s.deptype FROM pg_shdepend s LEFT JOIN pg_database d ON d.oid = s.dbid
      WHERE s.refclassid = 'pg_authid'::regclass
        AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [target.provisioner],
  );

/** The provisioning role's attributes and the roles it is a member of. */
async function provisionerShape() {
  const [attributes] = await target.admin(
    `SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin
       FROM pg_roles WHERE rolname = $1`,
    [target.provisioner],
  );
  const memberOf = await target.admin<{ rolname: string; admin_option: boolean }>(
    `SELECT g.rolname, m.admin_option FROM pg_auth_members m
       JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
      WHERE r.rolname = $1 ORDER BY g.rolname`,
    [target.provisioner],
  );
  return { attributes, memberOf };
}

const largeObjectOf = async (client: pg.Client) =>
  Number((await client.query<{ oid: number }>('SELECT lo_create(0)::int AS oid')).rows[0]?.oid);

/**
 * The login makes what a person with `hourglass exec` could, in the target database: a large
 * object (no privilege needed), a table and a SECURITY DEFINER function in `schema`.
 */
async function makeObjects(login: { user: string; password: string }, schema: string) {
  const client = await connectAs(login, target.superuserUrl);
  try {
    const oid = await largeObjectOf(client);
    await client.query(`CREATE TABLE ${schema}.notes (line text)`);
    await client.query(
      `CREATE FUNCTION ${schema}.escalate() RETURNS text LANGUAGE sql SECURITY DEFINER
         AS $$ SELECT current_user::text $$`,
    );
    return oid;
  } finally {
    await client.end();
  }
}

/** A large object the login makes in the other database (DROP OWNED here cannot reach it). */
async function makeObjectElsewhere(login: { user: string; password: string }) {
  const client = await connectAs(login, otherUrl);
  return largeObjectOf(client).finally(() => client.end());
}

describe('threat: objects made with a temporary PostgreSQL login outlive its revocation (issue 18, finding 7)', () => {
  it('with the documented least-privileged provisioning role (no superuser), issue, extend and revoke leave nothing the login made, in any database, and hand nothing to the provisioner', async () => {
    const version = Number(
      (await target.admin<{ server_version_num: string }>('SHOW server_version_num'))[0]
        ?.server_version_num,
    );
    const documented = {
      attributes: {
        rolsuper: false,
        rolcreaterole: true,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
      },
      // PostgreSQL 16+: ADMIN OPTION on the group role; up to 15, no membership at all.
      memberOf: version >= 160000 ? [{ rolname: target.groupRole, admin_option: true }] : [],
    };
    expect(await provisionerShape()).toEqual(documented);

    const clock = new ManualClock(new Date());
    const broker = await brokerWith(target.adminUrl, clock);
    try {
      await seedRequest(broker.service, alice, { id: 'own1', role: 'pg-rw', seconds: 600 });
      expect(await broker.worker.runOnce()).toEqual({ done: 1, failed: 0 });
      const login = await loginOf(broker, 'own1', clock.now());
      expect(await roleExists(login.user)).toBe(true);

      const schema = await scratchSchema('scratch_own1');
      const hereOid = await makeObjects(login, schema);
      const thereOid = await makeObjectElsewhere(login);
      expect(await largeObjects(target.superuserUrl, [hereOid])).toEqual([hereOid]);
      expect(await largeObjects(otherUrl, [thereOid])).toEqual([thereOid]);
      expect(await objectsIn(schema)).toEqual([
        { name: 'escalate', owner: login.user },
        { name: 'notes', owner: login.user },
      ]);

      const extended = await broker.service.apply(
        'own1',
        { kind: 'extend', durationSeconds: 1800 },
        alice,
      );
      expect(extended.ok).toBe(true);
      expect(await broker.worker.runOnce()).toEqual({ done: 1, failed: 0 });
      const [until] = await target.admin<{ rolvaliduntil: Date }>(
        'SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1',
        [login.user],
      );
      const grant = await broker.repo.findGrant('own1');
      expect(until?.rolvaliduntil.toISOString()).toBe(
        new Date(grant?.expiresAt ?? 0).toISOString(),
      );

      // A session still open at revoke: the provisioner must be able to end it.
      const open = await connectAs(login, target.superuserUrl);
      expect(
        (await broker.service.apply('own1', { kind: 'revoke', reason: 'done' }, alice)).ok,
      ).toBe(true);
      const revoked = await broker.worker.runOnce();
      expect(broker.errors).toEqual([]);
      expect(revoked).toEqual({ done: 1, failed: 0 });
      await expect(open.query('SELECT 1')).rejects.toThrow();
      await open.end().catch(() => undefined);

      expect(await roleExists(login.user)).toBe(false);
      expect(await largeObjects(target.superuserUrl, [hereOid])).toEqual([]);
      expect(await largeObjects(otherUrl, [thereOid])).toEqual([]);
      expect(await objectsIn(schema)).toEqual([]);
      // Nothing was reassigned to the provisioner, and it holds nothing new anywhere.
      expect(await provisionerHoldings()).toEqual([]);
      expect(await provisionerShape()).toEqual(documented);
    } finally {
      await broker.close();
    }
  }, 30_000);

  it('a SECURITY DEFINER function made by the login is dropped at revoke, never handed to a superuser admin', async () => {
    const clock = new ManualClock(new Date());
    // Deployments that still give the broker a superuser: the function must not become theirs.
    const broker = await brokerWith(target.superuserUrl, clock);
    try {
      await seedRequest(broker.service, alice, { id: 'own2', role: 'pg-rw', seconds: 600 });
      expect(await broker.worker.runOnce()).toEqual({ done: 1, failed: 0 });
      const login = await loginOf(broker, 'own2', clock.now());
      const schema = await scratchSchema('scratch_own2');
      const oid = await makeObjects(login, schema);
      expect(
        (await broker.service.apply('own2', { kind: 'revoke', reason: 'done' }, alice)).ok,
      ).toBe(true);
      expect(await broker.worker.runOnce()).toEqual({ done: 1, failed: 0 });
      expect(broker.errors).toEqual([]);
      expect(await roleExists(login.user)).toBe(false);
      expect(await objectsIn(schema)).toEqual([]);
      expect(await largeObjects(target.superuserUrl, [oid])).toEqual([]);
    } finally {
      await broker.close();
    }
  }, 30_000);
});
