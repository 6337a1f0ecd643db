/**
 * Starts the providers of the registry (protocol/credentials/index.ts, the one list of provider
 * kinds): for each kind, broker/providers/<kind>/<kind>.provider.ts and its `providerDefinition`.
 * Adding a provider is its contract in protocol/credentials/, its folder here, its tests and one
 * line in that list; registry.test.ts checks that every kind's folder and schemas agree.
 */
import type { ProviderKind } from '../../protocol/broker-api.ts';
import {
  memberKinds,
  providerContracts,
  type MemberKind,
} from '../../protocol/credentials/index.ts';
import type { BoundProvider } from '../credentials/provider.ts';
import type { GrantRecord } from '../lifecycle/grant-record.ts';
import { bundleProvider } from './bundle/bundle.provider.ts';
import type { ProviderSettings } from './provider-settings.ts';
import type { ProviderDefinition, ProviderSetup, SettingsSchema } from './provider-definition.ts';

/** Whether `value` is the definition of `kind`, with the registry's policy schema for it. */
function isDefinitionOf(
  value: unknown,
  kind: MemberKind,
): value is ProviderDefinition<SettingsSchema> {
  const settings = providerContracts.find((c) => c.kind === kind)?.settings;
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    value.kind === kind &&
    'policySchema' in value &&
    value.policySchema === settings &&
    'create' in value &&
    typeof value.create === 'function'
  );
}

/** Loads the definition of a registered kind from its folder (esbuild bundles every match). */
export async function loadDefinition(
  kind: MemberKind,
): Promise<ProviderDefinition<SettingsSchema>> {
  const loaded: unknown = await import(`./${kind}/${kind}.provider.ts`);
  const definition =
    typeof loaded === 'object' && loaded !== null && 'providerDefinition' in loaded
      ? loaded.providerDefinition
      : undefined;
  if (!isDefinitionOf(definition, kind))
    throw new Error(
      `broker/providers/${kind}/${kind}.provider.ts must export providerDefinition for kind ${kind}, with the policy schema of protocol/credentials/${kind}.ts`,
    );
  return definition;
}

/** Every registered provider's definition, in registration order. */
export const loadProviderDefinitions = (): Promise<ProviderDefinition<SettingsSchema>[]> =>
  Promise.all(memberKinds.map(loadDefinition));

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
    for (const definition of await loadProviderDefinitions())
      started.push(await startOne(definition, shared));
  } catch (error) {
    await Promise.allSettled(started.map((p) => p.close()));
    throw error;
  }
  const members = new Map(started.map((p) => [p.kind, p]));
  return new Map([...members, ['bundle', bundleProvider(members, shared.policyRoles)]]);
}
