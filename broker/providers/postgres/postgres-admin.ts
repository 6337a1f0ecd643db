/**
 * The SQL the provider runs at a target, over its admin connection. Every name is generated or
 * checked against a strict pattern (postgres-settings.ts) and still quoted with escapeIdentifier;
 * every value goes through escapeLiteral or a bind parameter.
 */
import pg from 'pg';
import { dropOwnedEverywhere, takePrivilegesOf, type InDatabase } from './owned-objects.ts';

/** One admin session at a target; closed after each action. */
export async function withAdmin<T>(
  adminUrl: string,
  target: string,
  action: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 5000,
    query_timeout: 15_000,
  });
  // A failure after connecting also surfaces as an 'error' event; the query's rejection reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(`postgres target ${target} is unreachable${code ? ` (${code})` : ''}`);
  }
  try {
    return await action(client);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs `action` in a transaction holding an advisory lock on the login role's name, so an issue
 * from the outbox, a fetch and a revocation of the same grant never interleave at the target.
 */
export async function lockedFor<T>(
  client: pg.Client,
  role: string,
  action: () => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [role]);
  const result = await action();
  await client.query('COMMIT');
  return result;
}

const exists = async (client: pg.Client, role: string): Promise<boolean> =>
  ((await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount ?? 0) > 0;

/** Refuses a policy role that is missing or a superuser (a temporary login must not inherit that). */
async function checkGroupRole(client: pg.Client, role: string, target: string): Promise<void> {
  const found = await client.query<{ rolsuper: boolean }>(
    'SELECT rolsuper FROM pg_roles WHERE rolname = $1',
    [role],
  );
  const row = found.rows[0];
  if (!row) throw new Error(`postgres target ${target} has no role ${role}; create it first`);
  if (row.rolsuper) throw new Error(`postgres role ${role} on ${target} is a superuser; refused`);
}

/** What a login role is created with. */
export interface LoginSpec {
  name: string;
  verifier: string;
  validUntil: string;
  memberOf: string;
  connectionLimit: number;
  /** The broker's mark, kept as the role's comment: reconciliation drops only roles bearing it. */
  owner: string;
  /** Asked under the role's lock, before anything is created or moved: is the grant still live? */
  stillLive: () => Promise<boolean>;
}

/**
 * Creates the login role, or moves its deadline when it exists (a retried or repeated issue).
 * Answers false, having done nothing, when the grant is no longer live: checked under the lock a
 * revocation takes too, so a create never lands after its grant's revoke found nothing to drop.
 */
export async function ensureLoginRole(
  client: pg.Client,
  spec: LoginSpec,
  target: string,
): Promise<boolean> {
  await checkGroupRole(client, spec.memberOf, target);
  const role = client.escapeIdentifier(spec.name);
  const until = client.escapeLiteral(spec.validUntil);
  return lockedFor(client, spec.name, async () => {
    if (!(await spec.stillLive())) return false;
    if (await exists(client, spec.name)) {
      await client.query(`ALTER ROLE ${role} VALID UNTIL ${until}`);
      return true;
    }
    await client.query(
      `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT ` +
        `PASSWORD ${client.escapeLiteral(spec.verifier)} VALID UNTIL ${until} ` +
        `CONNECTION LIMIT ${String(spec.connectionLimit)} ` +
        `IN ROLE ${client.escapeIdentifier(spec.memberOf)}`,
    );
    await client.query(`COMMENT ON ROLE ${role} IS ${client.escapeLiteral(spec.owner)}`);
    return true;
  });
}

/**
 * Takes the login away: no new logins, open sessions terminated (waiting for them to end), what it
 * owns dropped and its grants revoked in every database (`inDatabase` reaches the others), then the
 * role dropped. A missing role is done.
 */
export async function dropLoginRole(
  client: pg.Client,
  name: string,
  inDatabase: InDatabase,
): Promise<void> {
  const role = client.escapeIdentifier(name);
  // No new logins from here on, committed even if a later step fails (the alarm path).
  const present = await lockedFor(client, name, async () => {
    if (!(await exists(client, name))) return false;
    await client.query(`ALTER ROLE ${role} NOLOGIN`);
    return true;
  });
  if (!present) return;
  await lockedFor(client, name, async () => {
    if (await exists(client, name)) await takePrivilegesOf(client, name);
  });
  await lockedFor(client, name, () => endLoginRole(client, name, role, inDatabase));
}

async function endLoginRole(
  client: pg.Client,
  name: string,
  role: string,
  inDatabase: InDatabase,
): Promise<void> {
  if (!(await exists(client, name))) return;
  await client.query(
    'SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = $1',
    [name],
  );
  // Dropped, never reassigned to the admin (issue 18, finding 7): see owned-objects.ts.
  await dropOwnedEverywhere(client, name, inDatabase);
  await client.query(`DROP ROLE ${role}`);
}
