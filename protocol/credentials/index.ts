/**
 * The provider registry: every credential provider kind, one line each in `providerContracts`.
 * A provider's contract (protocol/credentials/<kind>.ts) is its credential schema and its policy
 * settings schema; the provider kinds, the credential unions and the policy's `provider` union
 * all derive from this list, and the broker loads broker/providers/<kind>/<kind>.provider.ts for
 * each kind in it. Adding a provider: its contract file, its broker folder, its tests and one line
 * here (broker/providers/registry.test.ts checks that everything agrees).
 */
import { z } from 'zod';
import { awsCredentialSchema, awsSettingsSchema } from './aws.ts';
import { jwtCredentialSchema, jwtSettingsSchema } from './jwt.ts';
import { postgresCredentialSchema, postgresSettingsSchema } from './postgres.ts';
import { sshCredentialSchema, sshSettingsSchema } from './ssh.ts';

export { awsCredentialSchema } from './aws.ts';
export { jwtCredentialSchema } from './jwt.ts';
export { postgresCredentialSchema } from './postgres.ts';
export { sshCredentialSchema } from './ssh.ts';

/** One provider's contract: what it hands out, and its role settings in the policy. */
interface ProviderContract<K extends string> {
  kind: K;
  credential: z.ZodObject<{ kind: z.ZodLiteral<K> } & z.ZodRawShape>;
  settings: z.ZodObject<{ kind: z.ZodLiteral<K> } & z.ZodRawShape>;
}

const contract = <K extends string, C extends ProviderContract<K>>(c: C & { kind: K }): C => c;

/** Every provider, in registration order: the one list. */
export const providerContracts = [
  contract({ kind: 'jwt', credential: jwtCredentialSchema, settings: jwtSettingsSchema }),
  contract({
    kind: 'postgres',
    credential: postgresCredentialSchema,
    settings: postgresSettingsSchema,
  }),
  contract({ kind: 'ssh', credential: sshCredentialSchema, settings: sshSettingsSchema }),
  contract({ kind: 'aws', credential: awsCredentialSchema, settings: awsSettingsSchema }),
] as const;

type Contracts = typeof providerContracts;
type Key = 'kind' | 'credential' | 'settings';
// Generic over the tuple, so the mapped type is a tuple again (element by element).
type Pluck<T extends readonly ProviderContract<string>[], F extends Key> = {
  [I in keyof T]: T[I][F];
};
type Field<F extends Key> = Pluck<Contracts, F>;

/** Whether `values` is field `f` of each contract, in order (narrows to the exact tuple). */
function isField<F extends Key>(values: readonly unknown[], f: F): values is Field<F> {
  return (
    values.length === providerContracts.length &&
    values.every((value, i) => value === providerContracts[i]?.[f])
  );
}

// A tuple element by element, so the unions derived from it stay exact for exhaustive switches.
function field<F extends Key>(f: F): Field<F> {
  const values = providerContracts.map((c) => c[f]);
  if (!isField(values, f)) throw new Error(`provider registry: ${f} could not be listed`);
  return values;
}

/** The registered provider kinds (a role may also bundle several: `bundle`). */
export const memberKinds = field('kind');
export type MemberKind = Contracts[number]['kind'];

/** One entitlement's credential, discriminated by provider kind. */
export const memberCredentialSchema = z.discriminatedUnion('kind', field('credential'));

/** A role's policy settings for one entitlement (the policy's `provider` block), by kind. */
export const memberSettingsSchemas = field('settings');

/** The credentials of a role that bundles several entitlements, issued (and ended) together. */
export const bundleCredentialSchema = z.object({
  kind: z.literal('bundle'),
  credentials: z.array(memberCredentialSchema).min(1).max(8),
});

/** Any issued credential, discriminated by provider kind. */
export const credentialSchema = z.discriminatedUnion('kind', [
  ...memberCredentialSchema.options,
  bundleCredentialSchema,
]);
export type Credential = z.infer<typeof credentialSchema>;

/**
 * Body of `POST /v1/grants/{id}/credentials`: what the provider needs from the device. The `ssh`
 * provider signs the device's own public key (the private key never leaves it); others need nothing.
 */
export const issueCredentialsBodySchema = z.strictObject({
  publicKey: z.string().min(1).max(4096).optional(),
});
export type IssueCredentialsBody = z.infer<typeof issueCredentialsBodySchema>;
