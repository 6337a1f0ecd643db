import { describe, expect, it } from 'vitest';
import { databaseUrl } from './owned-objects.ts';
import { provisionerRoleStatements } from './provisioner-role.ts';

const admin = 'postgres://prov:s%40cret@db.internal:5433/orders?sslmode=require';

describe('databaseUrl: the admin URL pointed at another database of the target', () => {
  it('keeps the login, host, port and options, and names the database so pg reads it back', () => {
    for (const database of ['template1', 'hg_other', 'Ünïcode db', 'a%b', 'x/y', 'a;b@c']) {
      const url = new URL(databaseUrl(admin, database));
      expect([url.username, url.password, url.host, url.search]).toEqual([
        'prov',
        's%40cret',
        'db.internal:5433',
        '?sslmode=require',
      ]);
      // pg-connection-string decodes the path with decodeURI.
      expect(decodeURI(url.pathname.slice(1))).toBe(database);
    }
  });

  it('refuses a name a connection URL cannot carry unchanged, without echoing the admin URL', () => {
    for (const database of ['what?', 'a#b', '..']) {
      expect(() => databaseUrl(admin, database)).toThrow(/cannot be named in a connection URL/);
      expect(() => databaseUrl(admin, database)).not.toThrow(/s%40cret|secret/);
    }
  });
});

describe('provisionerRoleStatements: the documented least-privileged admin role', () => {
  const spec = {
    name: 'hourglass_provisioner',
    verifier: 'SCRAM-SHA-256$4096:x',
    groupRoles: ['orders_ro', 'Odd"Name'],
  };

  it('PostgreSQL 15: LOGIN CREATEROLE INHERIT and nothing more, no membership', () => {
    expect(provisionerRoleStatements({ ...spec, serverVersionNum: 150010 })).toEqual([
      `CREATE ROLE "hourglass_provisioner" LOGIN CREATEROLE INHERIT NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:x'`,
    ]);
  });

  it('PostgreSQL 16+: ADMIN OPTION on each group role, without INHERIT or SET, names quoted', () => {
    expect(provisionerRoleStatements({ ...spec, serverVersionNum: 180004 }).slice(1)).toEqual([
      'GRANT "orders_ro" TO "hourglass_provisioner" WITH ADMIN TRUE, INHERIT FALSE, SET FALSE',
      'GRANT "Odd""Name" TO "hourglass_provisioner" WITH ADMIN TRUE, INHERIT FALSE, SET FALSE',
    ]);
  });
});
