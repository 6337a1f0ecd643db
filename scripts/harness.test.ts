/**
 * The test harness (scripts/with-services.sh) gives every suite real, throwaway services. These
 * tests prove each one is there and is the real thing, so a later suite never runs against less.
 */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { Entry } from '@napi-rs/keyring';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

const pgUrl = process.env.HOURGLASS_TEST_PG_URL;

describe('test harness', () => {
  it('runs with a throwaway HOME under the harness root', () => {
    const root = process.env.HOURGLASS_TEST_ROOT;
    expect(root, 'run the tests with `npm test` (scripts/with-services.sh)').toBeTruthy();
    expect(homedir().startsWith(root!)).toBe(true);
  });

  it('has an unlocked gnome-keyring on a private session bus', () => {
    expect(process.env.DBUS_SESSION_BUS_ADDRESS).toMatch(/^unix:/);
    const entry = new Entry('hourglass-harness', 'probe');
    entry.setPassword('harness-probe-value');
    const listed = execFileSync(
      'secret-tool',
      ['search', '--all', 'service', 'hourglass-harness'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(listed).toContain('[/');
    expect(entry.deletePassword()).toBe(true);
    expect(entry.getPassword()).toBeNull();
  });

  it('has a PostgreSQL cluster that enforces passwords and VALID UNTIL over TCP', async () => {
    expect(pgUrl, 'HOURGLASS_TEST_PG_URL is set by scripts/with-services.sh').toBeTruthy();
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE harness_live LOGIN PASSWORD 'pw-live' VALID UNTIL 'infinity'`);
      await admin.query(
        `CREATE ROLE harness_gone LOGIN PASSWORD 'pw-gone' VALID UNTIL '2000-01-01'`,
      );
      const url = new URL(pgUrl!);
      const login = async (user: string, password: string): Promise<string> => {
        const client = new pg.Client({
          host: url.hostname,
          port: Number(url.port),
          database: 'postgres',
          user,
          password,
        });
        try {
          await client.connect();
          return 'connected';
        } catch (error) {
          return (error as Error).message;
        } finally {
          await client.end().catch(() => undefined);
        }
      };
      expect(await login('harness_live', 'pw-live')).toBe('connected');
      expect(await login('harness_live', 'wrong')).toMatch(/password authentication failed/);
      expect(await login('harness_gone', 'pw-gone')).toMatch(/password authentication failed/);
    } finally {
      await admin.query('DROP ROLE IF EXISTS harness_live');
      await admin.query('DROP ROLE IF EXISTS harness_gone');
      await admin.end();
    }
  });
});
