/** The `aws` credential: an STS session from AssumeRoleWithWebIdentity. */
import { z } from 'zod';
import { targetNameSchema } from './target-name.ts';

/** Temporary AWS keys; `expiration` is never past the grant's deadline. */
export const awsCredentialSchema = z.object({
  kind: z.literal('aws'),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1),
  expiration: z.iso.datetime(),
  region: z.string().min(1).optional(),
  roleArn: z.string().min(1),
});

/** Policy `provider` block of an aws role. */
export const awsSettingsSchema = z.strictObject({
  kind: z.literal('aws'),
  target: targetNameSchema,
  /** The IAM role that trusts the broker as a web identity provider. */
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN'),
});
export type AwsSettings = z.output<typeof awsSettingsSchema>;
