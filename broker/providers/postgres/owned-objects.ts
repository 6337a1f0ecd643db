/**
 * What a temporary login made at the target ends with it (issue 18, finding 7). A login can create
 * objects in every database it may connect to (a large object needs no privilege at all), and
 * `DROP OWNED` / `REASSIGN OWNED` act on the current database only, so the provider asks
 * `pg_shdepend` which databases hold something of the login's and drops it in each.
 *
 * Dropped, never reassigned: a `SECURITY DEFINER` function handed to the admin would run with the
 * admin's rights for anyone who may call it, and a large object or table would stay behind.
 */
import type pg from 'pg';

/** Runs `action` over an admin session in another database of the same target. */
export type InDatabase = (
  database: string,
  action: (client: pg.Client) => Promise<unknown>,
) => Promise<void>;

/**
 * The admin URL pointed at `database` on the same server. Refuses a name that a connection URL
 * cannot carry unchanged (pg decodes the path with decodeURI: `?`, `#`, dot segments).
 */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURI(database)}`;
  if (decodeURI(url.pathname.slice(1)) !== database)
    throw new Error(
      `postgres database ${JSON.stringify(database)} cannot be named in a connection URL; run DROP OWNED BY the login role there by hand`,
    );
  return url.toString();
}

/**
 * Gives the admin session the privileges of login role `name`, which `pg_terminate_backend` and
 * `DROP OWNED` require. A non-superuser admin may: CREATEROLE grants membership in non-superuser
 * roles up to PostgreSQL 15, and from 16 on the admin holds ADMIN OPTION on the roles it created.
 * No-op when the session has them already (a superuser). Commit it before reaching other
 * databases: their sessions see only committed memberships. While a failing revoke is retried the
 * admin keeps this membership of a role that can no longer log in; DROP ROLE ends it.
 */
export async function takePrivilegesOf(client: pg.Client, name: string): Promise<void> {
  const held = await client.query<{ held: boolean }>(`SELECT pg_has_role($1, 'USAGE') AS held`, [
    name,
  ]);
  if (held.rows[0]?.held) return;
  await client.query(`GRANT ${client.escapeIdentifier(name)} TO CURRENT_USER`);
}

/** The databases other than the session's where `name` owns an object or holds a privilege. */
async function otherDatabasesOf(client: pg.Client, name: string): Promise<string[]> {
  const found = await client.query<{ datname: string }>(
    `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
      WHERE s.refclassid = 'pg_authid'::regclass
        AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)
        AND d.datname <> current_database()
      ORDER BY d.datname`,
    [name],
  );
  return found.rows.map((row) => row.datname);
}

/**
 * Drops what login role `name` owns and revokes what it was granted, in every database holding
 * any of it, the session's own last (it also covers shared objects). RESTRICT: when an object of
 * another role depends on one of the login's, the revoke fails and is retried (then the
 * irrevocable alarm) rather than drop what is not the login's.
 */
export async function dropOwnedEverywhere(
  client: pg.Client,
  name: string,
  inDatabase: InDatabase,
): Promise<void> {
  const dropOwned = `DROP OWNED BY ${client.escapeIdentifier(name)}`;
  for (const database of await otherDatabasesOf(client, name))
    await inDatabase(database, (other) => other.query(dropOwned));
  await client.query(dropOwned);
}
