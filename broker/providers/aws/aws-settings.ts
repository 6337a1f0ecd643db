/** The `aws` role settings (policy) and target settings (broker config: the STS endpoint). */
import { z } from 'zod';
import { targetNameSchema } from '../provider-definition.ts';

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

/** An aws target: where STS is (the AWS default, or a stand-in / VPC endpoint) and its region. */
export const awsTargetSchema = z.strictObject({
  kind: z.literal('aws'),
  region: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/)
    .default('us-east-1'),
  /** An STS endpoint URL; omitted: the SDK's regional AWS endpoint. */
  endpoint: z.url().optional(),
  /** `aud` of the web-identity token (what the IAM OIDC provider lists as client id). */
  audience: z.string().min(1).default('sts.amazonaws.com'),
});
export type AwsTarget = z.output<typeof awsTargetSchema>;
