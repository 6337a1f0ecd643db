/**
 * The `ssh` provider: the target's user CA signs the device's own public key (the private key
 * never leaves the device) for the policy's principals, valid until the grant's deadline. Extend
 * re-signs the same key. Revocation: a KRL naming the grant's key id, served for sshd's
 * `RevokedKeys` at `GET /ssh/revoked-keys?target=<name>` (public, like a CRL or the JWKS: hosts
 * syncing it hold no user token; every /v1 route is a brokerContract method). Expiry needs nothing at the target: the certificate ends with the grant.
 */
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../../http-gate/route-access.ts';
import type sshpk from 'sshpk';
import type { BoundProvider } from '../../credentials/provider.ts';
import { ProviderError } from '../../credentials/provider.ts';
import { defineProvider, parseTargets, requireTargets } from '../provider-definition.ts';
import type { ProviderSetup } from '../provider-definition.ts';
import { resolveSecret } from '../secret-ref.ts';
import { tcpProblem } from '../target-reachable.ts';
import { buildKrl } from './krl.ts';
import {
  parseCaKey,
  parseDevicePublicKey,
  signUserCertificate,
  sshKeyId,
  sshRevokedKeyIds,
} from './ssh-certificate.ts';
import {
  sshSettingsSchema,
  sshTargetSchema,
  type SshSettings,
  type SshTarget,
} from './ssh-settings.ts';

interface ReadyTarget {
  name: string;
  ca: sshpk.PrivateKey;
  config: SshTarget;
}

const REVOKED_LIMIT = 100_000;

function revocationRoutes(
  app: FastifyInstance,
  setup: ProviderSetup<SshSettings>,
  targets: ReadonlyMap<string, ReadyTarget>,
): void {
  const handler = async (
    request: { query: unknown },
    reply: { header(k: string, v: string): unknown; code(n: number): unknown },
  ) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const name =
      typeof query.target === 'string'
        ? query.target
        : targets.size === 1
          ? [...targets.keys()][0]
          : undefined;
    const target = name === undefined ? undefined : targets.get(name);
    if (!target) {
      reply.code(404);
      return { error: `name an ssh target: ?target=${[...targets.keys()].join('|')}` };
    }
    const now = setup.clock.now();
    // ssh grants, and bundles (one may hold an ssh entitlement; a key id no certificate has is inert).
    const revoked = [
      ...(await setup.repo.listRevokedBefore('ssh', now, REVOKED_LIMIT)),
      ...(await setup.repo.listRevokedBefore('bundle', now, REVOKED_LIMIT)),
    ];
    const keyIds = revoked
      .filter((g) => (setup.settingsOf(g)?.target ?? target.name) === target.name)
      .flatMap(sshRevokedKeyIds);
    reply.header('content-type', 'application/octet-stream');
    reply.header('cache-control', 'no-store');
    return buildKrl({ ca: target.ca.toPublic(), keyIds, version: BigInt(now.getTime()), now });
  };
  // Public: sshd fetches it holding no user token; it lists key ids of ended grants only.
  app.get('/ssh/revoked-keys', { config: publicRoute }, handler);
}

/** The ssh provider definition (the registry loads it by this name from this file). */
export const providerDefinition = defineProvider({
  kind: 'ssh',
  policySchema: sshSettingsSchema,
  create: async (setup) => {
    requireTargets('ssh', setup.roles, setup.targets);
    const targets = new Map<string, ReadyTarget>();
    for (const [name, config] of parseTargets('ssh', setup.targets, sshTargetSchema)) {
      const ca = parseCaKey(await resolveSecret(config.caKey, setup.env), name);
      targets.set(name, { name, ca, config });
    }
    const provider: BoundProvider = {
      kind: 'ssh',
      // Nothing lives at the target: the certificate is signed at fetch, re-signed after extend.
      issue: () => Promise.resolve(),
      reissue: () => Promise.resolve(),
      // The revocation list is computed from revoked grants; nothing to push.
      revoke: () => Promise.resolve(),
      credential: ({ grant, body, now }) => {
        const settings = setup.settingsOf(grant);
        const target = settings ? targets.get(settings.target) : undefined;
        if (!settings || !target || !grant.expiresAt)
          throw new ProviderError('conflict', `role ${grant.role} is no longer in the policy`);
        const key = parseDevicePublicKey(body.publicKey);
        const keyId = sshKeyId(grant);
        const signed = signUserCertificate({
          ca: target.ca,
          key,
          settings,
          keyId,
          now,
          skewSeconds: target.config.skewSeconds,
          validBefore: new Date(grant.expiresAt),
        });
        return Promise.resolve({
          kind: 'ssh',
          certificate: signed.certificate,
          keyId,
          serial: signed.serial,
          principals: settings.principals,
          validAfter: signed.validAfter.toISOString(),
          validBefore: signed.validBefore.toISOString(),
          ...target.config.connect,
        });
      },
      // The CA keys loaded at start; what can go down is the hosts clients connect to.
      health: async () => {
        const probes = [...targets.values()].map(({ name, config: { connect } }) =>
          connect.host
            ? tcpProblem(`ssh target ${name}`, connect.host, connect.port ?? 22)
            : Promise.resolve(null),
        );
        const problem = (await Promise.all(probes)).find((p) => p !== null) ?? null;
        return { kind: 'ssh', status: problem ? 'down' : 'ok', detail: problem };
      },
      routes: (app) => revocationRoutes(app, setup, targets),
      reconciliation: {
        mode: 'none',
        why: 'certificates are short-lived (valid-before the deadline) and revoked ones are named in the KRL the hosts read; nothing persists at a host',
      },
      close: () => Promise.resolve(),
    };
    return provider;
  },
});
