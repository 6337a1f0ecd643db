/**
 * A role's `provider` block in the policy: the union of every provider's settings schema. Only
 * schemas are imported here (no provider code), so the policy's types never depend on the
 * providers'. registry.test.ts holds this list against `providerDefinitions`.
 */
import { z } from 'zod';
import { awsSettingsSchema } from './aws/aws-settings.ts';
import { jwtSettingsSchema } from './jwt/jwt-settings.ts';
import { postgresSettingsSchema } from './postgres/postgres-settings.ts';
import { sshSettingsSchema } from './ssh/ssh-settings.ts';

/** One member per registered provider, discriminated by `kind`. */
export const providerSettingsSchema = z.discriminatedUnion('kind', [
  jwtSettingsSchema,
  postgresSettingsSchema,
  sshSettingsSchema,
  awsSettingsSchema,
]);
export type ProviderSettings = z.output<typeof providerSettingsSchema>;
