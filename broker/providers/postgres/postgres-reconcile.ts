/**
 * Reconciliation at a PostgreSQL target: the login roles this broker made (name prefix `hg_` and
 * the broker's mark as the role's comment, so another broker's or tenant's roles on a shared
 * cluster are never touched), as listed in `pg_roles`.
 */
import type pg from 'pg';
import { ROLE_PREFIX } from './role-login.ts';

/** `hg_<user>_<16 hex>`: the only shape loginRoleName makes. */
const LOGIN_ROLE = new RegExp(`^${ROLE_PREFIX}[a-z0-9]+_[0-9a-f]{16}$`);

/** The login roles at the target that bear `owner` as their comment. */
export async function listMarkedLoginRoles(client: pg.Client, owner: string): Promise<string[]> {
  const { rows } = await client.query<{ rolname: string }>(
    `SELECT r.rolname FROM pg_roles r
      WHERE r.rolname LIKE $1 AND shobj_description(r.oid, 'pg_authid') = $2
      ORDER BY r.rolname`,
    [`${ROLE_PREFIX.replace(/_/g, '\\_')}%`, owner],
  );
  return rows.map((r) => r.rolname).filter((name) => LOGIN_ROLE.test(name));
}
