import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import { loadOrCreateSigningKey } from '../credentials/signing-key.ts';
import {
  ManualClock,
  openTestDatabase,
  tempDir,
  testLifecycle,
  testPolicy,
} from '../test-support.ts';
import { providersHealth } from './provider-health.ts';
import { startProviders } from './registry.ts';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('provider health (real providers, targets that do not answer)', () => {
  it('reports each provider, naming the target that is down', async () => {
    const dir = tempDir();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ca')]);
    const [pgPort, sshPort, stsPort] = [await closedPort(), await closedPort(), await closedPort()];
    const policy = testPolicy(
      'tenant: t\nroles:\n' +
        '  - name: db\n    provider: { kind: postgres, target: orders, role: reader }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n' +
        '  - name: box\n    provider: { kind: ssh, target: hosts, principals: [ops] }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n' +
        '  - name: kit\n    provider: { kind: bundle, entitlements: [{ kind: jwt, audience: "https://api" }, { kind: ssh, target: hosts, principals: [ops] }] }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n' +
        '  - name: cloud\n    provider: { kind: aws, target: sts, roleArn: "arn:aws:iam::123456789012:role/r" }\n    eligible: { groups: [g] }\n    maxDuration: 1h\n',
    );
    const clock = new ManualClock(new Date());
    const db = await openTestDatabase();
    const { repo } = testLifecycle(db, clock, policy);
    const providers = await startProviders({
      repo,
      clock,
      signingKey: await loadOrCreateSigningKey(join(dir, 'k.jwk')),
      publicUrl: () => 'http://127.0.0.1:1',
      policyRoles: policy.roles,
      targets: {
        orders: { kind: 'postgres', adminUrl: { env: 'ADMIN' } },
        hosts: {
          kind: 'ssh',
          caKey: { file: join(dir, 'ca') },
          connect: { host: '127.0.0.1', port: sshPort },
        },
        sts: { kind: 'aws', endpoint: `http://127.0.0.1:${stsPort}` },
      },
      env: { ADMIN: `postgres://admin:secret-pw@127.0.0.1:${pgPort}/orders` },
    });
    try {
      const health = new Map((await providersHealth(providers)).map((h) => [h.kind, h]));
      expect(health.get('jwt')).toEqual({ kind: 'jwt', status: 'ok', detail: null });
      expect(health.get('postgres')?.status).toBe('down');
      expect(health.get('ssh')).toMatchObject({ status: 'down' });
      expect(health.get('ssh')?.detail).toContain(`ssh target hosts: 127.0.0.1:${sshPort} refused`);
      expect(health.get('aws')?.detail).toContain('aws target sts: http://127.0.0.1');
      // The bundle role uses ssh: down, saying which member.
      expect(health.get('bundle')).toMatchObject({ kind: 'bundle', status: 'down' });
      expect(health.get('bundle')?.detail).toMatch(/^ssh: ssh target hosts/);
      // No secret of the target's configuration reaches the report.
      expect(JSON.stringify([...health.values()])).not.toContain('secret-pw');
    } finally {
      for (const provider of providers.values()) await provider.close();
      await db.destroy();
    }
  }, 20_000);

  it('counts a check that never answers as down after the bound', async () => {
    // A provider whose target hangs: its health() never settles.
    const hanging: BoundProvider = {
      kind: 'jwt',
      issue: () => Promise.resolve(),
      reissue: () => Promise.resolve(),
      revoke: () => Promise.resolve(),
      credential: () => Promise.reject(new Error('unused')),
      health: () => new Promise(() => {}),
      close: () => Promise.resolve(),
    };
    const providers = new Map<ProviderKind, BoundProvider>([['jwt', hanging]]);
    expect(await providersHealth(providers, 50)).toEqual([
      { kind: 'jwt', status: 'down', detail: 'no answer within 0.05 s' },
    ]);
  });
});
