/**
 * Every credential a provider hands out, one schema per kind (one file each), and the body a
 * client sends to fetch one. Adding a provider: its schema file here plus one entry below.
 */
import { z } from 'zod';
import { awsCredentialSchema } from './aws.ts';
import { jwtCredentialSchema } from './jwt.ts';
import { postgresCredentialSchema } from './postgres.ts';
import { sshCredentialSchema } from './ssh.ts';

export { awsCredentialSchema } from './aws.ts';
export { jwtCredentialSchema } from './jwt.ts';
export { postgresCredentialSchema } from './postgres.ts';
export { sshCredentialSchema } from './ssh.ts';

/** One entitlement's credential, discriminated by provider kind. */
export const memberCredentialSchema = z.discriminatedUnion('kind', [
  jwtCredentialSchema,
  postgresCredentialSchema,
  sshCredentialSchema,
  awsCredentialSchema,
]);

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
