/** The `aws` credential: an STS session from AssumeRoleWithWebIdentity. */
import { z } from 'zod';

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
