/**
 * The `aws` provider: STS sessions from AssumeRoleWithWebIdentity with a broker-minted web
 * identity. Issue and extend happen at fetch (an extension is a new session); revocation is the
 * deny-by-`aws:TokenIssueTime` recipe in broker/README.md plus short sessions.
 */
import type { BoundProvider } from '../../credentials/provider.ts';
import { ProviderError } from '../../credentials/provider.ts';
import { defineProvider, parseTargets, requireTargets } from '../provider-definition.ts';
import { httpProblem } from '../target-reachable.ts';
import { assumeRole } from './aws-session.ts';
import { awsSettingsSchema, awsTargetSchema } from './aws-settings.ts';

/** The aws provider definition (the registry loads it by this name from this file). */
export const providerDefinition = defineProvider({
  kind: 'aws',
  policySchema: awsSettingsSchema,
  create: (setup) => {
    requireTargets('aws', setup.roles, setup.targets);
    const targets = parseTargets('aws', setup.targets, awsTargetSchema);
    const provider: BoundProvider = {
      kind: 'aws',
      issue: () => Promise.resolve(),
      reissue: () => Promise.resolve(),
      revoke: () => Promise.resolve(),
      credential: ({ grant, now }) => {
        const settings = setup.settingsOf(grant);
        const target = settings ? targets.get(settings.target) : undefined;
        if (!settings || !target || !grant.expiresAt)
          throw new ProviderError('conflict', `role ${grant.role} is no longer in the policy`);
        return assumeRole({
          key: setup.signingKey,
          issuer: setup.publicUrl(),
          target,
          settings,
          grant: { id: grant.id, subject: grant.subject, expiresAt: grant.expiresAt },
          now,
        });
      },
      // STS answering at all (any HTTP status) is health; the default is AWS's regional endpoint.
      health: async () => {
        const probes = [...targets].map(([name, t]) =>
          httpProblem(`aws target ${name}`, t.endpoint ?? `https://sts.${t.region}.amazonaws.com/`),
        );
        const problem = (await Promise.all(probes)).find((p) => p !== null) ?? null;
        return { kind: 'aws', status: problem ? 'down' : 'ok', detail: problem };
      },
      reconciliation: {
        mode: 'none',
        why: 'AWS STS session credentials end by themselves at their deadline and cannot be listed; nothing the broker creates persists at the target',
      },
      close: () => Promise.resolve(),
    };
    return Promise.resolve(provider);
  },
});
