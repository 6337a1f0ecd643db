/**
 * A role's `provider` block in the policy: the union of every registered provider's settings
 * schema, derived from the provider registry (protocol/credentials/index.ts). Only schemas are
 * imported here (no provider code), so the policy's types never depend on the providers'.
 */
import { z } from 'zod';
import { memberSettingsSchemas } from '../../protocol/credentials/index.ts';

/** One entitlement: one member per registered provider, discriminated by `kind`. */
export const entitlementSettingsSchema = z.discriminatedUnion('kind', memberSettingsSchemas);
export type EntitlementSettings = z.output<typeof entitlementSettingsSchema>;

/**
 * A role that bundles several entitlements (e.g. read on the orders database and SSH to the
 * orders hosts): one grant issues, extends and revokes them together; a failure issuing one
 * undoes the others. At most one entitlement per provider kind.
 */
export const bundleSettingsSchema = z
  .strictObject({
    kind: z.literal('bundle'),
    entitlements: z.array(entitlementSettingsSchema).min(2).max(8),
  })
  .refine((b) => new Set(b.entitlements.map((e) => e.kind)).size === b.entitlements.length, {
    message: 'a bundle holds at most one entitlement of each kind',
    path: ['entitlements'],
  });

/** A role's `provider` block: one entitlement, or a bundle of them. */
export const providerSettingsSchema = z.discriminatedUnion('kind', [
  ...entitlementSettingsSchema.options,
  bundleSettingsSchema,
]);
export type ProviderSettings = z.output<typeof providerSettingsSchema>;
