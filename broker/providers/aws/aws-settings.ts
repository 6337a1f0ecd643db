/** The `aws` role settings (policy, defined with the provider's contract in protocol/) and target settings (broker config: the STS endpoint). */
import { z } from 'zod';

export { awsSettingsSchema, type AwsSettings } from '../../../protocol/credentials/aws.ts';

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
