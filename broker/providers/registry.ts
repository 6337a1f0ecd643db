/**
 * The provider registry: every provider kind the broker knows, one line each. Adding a provider is
 * its folder (broker/providers/<kind>/) with tests, its credential schema in protocol/credentials/,
 * and a line here, in provider-settings.ts and in protocol/credentials/index.ts.
 */
import type { ProviderKind } from '../../protocol/broker-api.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import { awsProviderDefinition } from './aws/aws.provider.ts';
import { jwtProviderDefinition } from './jwt/jwt.provider.ts';
import { postgresProviderDefinition } from './postgres/postgres.provider.ts';
import { sshProviderDefinition } from './ssh/ssh.provider.ts';
import { bundleProvider } from './bundle/bundle.provider.ts';
import type { ProviderSettings } from './provider-settings.ts';
import type { ProviderDefinition, ProviderSetup, SettingsSchema } from './provider-definition.ts';

/** Every provider, in registration order. */
export const providerDefinitions = [
  jwtProviderDefinition,
  postgresProviderDefinition,
  sshProviderDefinition,
  awsProviderDefinition,
] as const;

/** What every provider shares when the broker starts them. */
export type SharedSetup = Omit<ProviderSetup<never>, 'roles' | 'settingsOf' | 'targets'> & {
  /** The policy's roles: name and `provider` block. */
  policyRoles: ReadonlyArray<{ name: string; provider: ProviderSettings }>;
  /** The broker config's `targets`, by name. */
  targets: Readonly<Record<string, { kind: ProviderKind } & Record<string, unknown>>>;
};

async function startOne<T extends SettingsSchema>(
  definition: ProviderDefinition<T>,
  shared: SharedSetup,
): Promise<BoundProvider> {
  // A bundle's entitlements count as roles of their own providers (at most one per kind).
  const roles = shared.policyRoles.flatMap((r) => {
    const settings = r.provider.kind === 'bundle' ? r.provider.entitlements : [r.provider];
    return settings.flatMap((one) => {
      const parsed = definition.policySchema.safeParse(one);
      return one.kind === definition.kind && parsed.success
        ? [{ role: r.name, settings: parsed.data }]
        : [];
    });
  });
  const targets = new Map(
    Object.entries(shared.targets).filter(([, t]) => t.kind === definition.kind),
  );
  return definition.create({
    ...shared,
    roles,
    targets,
    settingsOf: (grant: GrantRecord) => roles.find((r) => r.role === grant.role)?.settings ?? null,
  });
}

/** Starts every registered provider; closes the started ones if one cannot start. */
export async function startProviders(
  shared: SharedSetup,
): Promise<ReadonlyMap<ProviderKind, BoundProvider>> {
  const started: BoundProvider[] = [];
  try {
    for (const definition of providerDefinitions as readonly ProviderDefinition<SettingsSchema>[])
      started.push(await startOne(definition, shared));
  } catch (error) {
    await Promise.allSettled(started.map((p) => p.close()));
    throw error;
  }
  const members = new Map(started.map((p) => [p.kind, p]));
  return new Map([...members, ['bundle', bundleProvider(members, shared.policyRoles)]]);
}
