/**
 * Test support: a fresh database with an `orders` table and a read-only group role on the
 * throwaway cluster (HOURGLASS_TEST_PG_URL, scram over TCP so VALID UNTIL is enforced), and the
 * documented least-privileged provisioning role (provisioner-role.ts) the broker logs in as.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testPgUrl } from '../../test-support.ts';
import { provisionerRoleStatements } from './provisioner-role.ts';
import { scramVerifier } from './role-login.ts';

/** A target database made for one test file. */
export interface PgTargetFixture {
  /** The broker's admin URL of the target database: the provisioning role, not a superuser. */
  adminUrl: string;
  /** The provisioning role's name. */
  provisioner: string;
  /** The cluster superuser's URL of the target database (for checks and setup only). */
  superuserUrl: string;
  database: string;
  /** The read-only group role a policy names. */
  groupRole: string;
  /** Runs SQL as the cluster superuser in the target database. */
  admin<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  /**
   * The `hg_` login roles that are members of this fixture's group role. Roles are cluster-wide
   * and test files run in parallel on one cluster, so a check by name prefix alone would see
   * other files' grants.
   */
  grantRoles(): Promise<string[]>;
  /** Drops the database, the group role and the provisioning role. */
  drop(): Promise<void>;
}

async function asAdmin<T extends pg.QueryResultRow>(url: string, sql: string, values?: unknown[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Creates the database, the group role, three orders and the provisioning role (named without
 * the `hg_` prefix of the logins the broker makes and may reconcile away).
 */
export async function createPgTarget(): Promise<PgTargetFixture> {
  const suffix = randomBytes(4).toString('hex');
  const database = `hg_target_${suffix}`;
  const groupRole = `orders_ro_${suffix}`;
  const provisioner = `provisioner_${suffix}`;
  const password = randomBytes(18).toString('base64url');
  const base = testPgUrl();
  await asAdmin(base, `CREATE DATABASE ${database}`);
  await asAdmin(base, `CREATE ROLE ${groupRole} NOLOGIN`);
  const [version] = await asAdmin<{ server_version_num: string }>(base, 'SHOW server_version_num');
  for (const statement of provisionerRoleStatements({
    name: provisioner,
    verifier: scramVerifier(password),
    groupRoles: [groupRole],
    serverVersionNum: Number(version?.server_version_num),
  }))
    await asAdmin(base, statement);
  const url = new URL(base);
  url.pathname = `/${database}`;
  url.search = '';
  const superuserUrl = url.toString();
  url.username = provisioner;
  url.password = password;
  const adminUrl = url.toString();
  await asAdmin(
    superuserUrl,
    `CREATE TABLE orders (id int PRIMARY KEY, item text);
     INSERT INTO orders VALUES (1, 'tea'), (2, 'cake'), (3, 'jam');
     GRANT SELECT ON orders TO ${groupRole};`,
  );
  return {
    adminUrl,
    provisioner,
    superuserUrl,
    database,
    groupRole,
    admin: (sql, values) => asAdmin(superuserUrl, sql, values),
    grantRoles: async () =>
      (
        await asAdmin<{ rolname: string }>(
          superuserUrl,
          `SELECT r.rolname FROM pg_roles r
             JOIN pg_auth_members m ON m.member = r.oid
             JOIN pg_roles g ON g.oid = m.roleid
            WHERE g.rolname = $1 AND r.rolname LIKE 'hg\\_%'`,
          [groupRole],
        )
      ).map((r) => r.rolname),
    drop: async () => {
      await asAdmin(base, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await asAdmin(base, `DROP ROLE IF EXISTS ${groupRole}`);
      await asAdmin(base, `DROP ROLE IF EXISTS ${provisioner}`);
    },
  };
}
