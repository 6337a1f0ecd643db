/**
 * The least-privileged role a postgres target's `adminUrl` logs in as (broker/providers/README.md,
 * "Least privileges"). The demo and the tests provision with exactly these statements.
 */
import pg from 'pg';

/** What the provisioning role is made with. */
export interface ProvisionerSpec {
  name: string;
  /** SCRAM verifier of its password (role-login.ts), so the clear text never reaches a log. */
  verifier: string;
  /** The group roles the policy names for this target. */
  groupRoles: string[];
  /** The server's `server_version_num` (160000 and up: PostgreSQL 16 rules). */
  serverVersionNum: number;
}

/**
 * LOGIN and CREATEROLE, nothing else: not a superuser, no CREATEDB, REPLICATION or BYPASSRLS.
 * INHERIT, because at revoke the provider grants it the login role to end its sessions and drop
 * what it owns, which needs the login's privileges (no pg_signal_backend needed).
 * From PostgreSQL 16, adding a login to a group role needs ADMIN OPTION on the group; the grant
 * carries neither INHERIT nor SET, so the provisioner cannot use the group's privileges itself.
 * Up to 15, CREATEROLE alone may grant membership in any role that is not a superuser.
 */
export function provisionerRoleStatements(spec: ProvisionerSpec): string[] {
  const role = pg.escapeIdentifier(spec.name);
  const statements = [
    `CREATE ROLE ${role} LOGIN CREATEROLE INHERIT NOSUPERUSER NOCREATEDB NOREPLICATION ` +
      `NOBYPASSRLS PASSWORD ${pg.escapeLiteral(spec.verifier)}`,
  ];
  if (spec.serverVersionNum >= 160000)
    for (const group of spec.groupRoles)
      statements.push(
        `GRANT ${pg.escapeIdentifier(group)} TO ${role} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`,
      );
  return statements;
}
