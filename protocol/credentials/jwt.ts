/** The `jwt` credential: a broker-signed bearer token for HTTP APIs and Kubernetes. */
import { z } from 'zod';

/** A JWT credential. */
export const jwtCredentialSchema = z.object({
  kind: z.literal('jwt'),
  token: z.string(),
  tokenType: z.literal('Bearer'),
  audience: z.string(),
});

/** Policy `provider` block of a jwt role. */
export const jwtSettingsSchema = z.strictObject({
  kind: z.literal('jwt'),
  audience: z.string().min(1),
  claims: z.record(z.string(), z.string()).optional(),
  /** The token's `groups` claim (what a Kubernetes API server maps to RBAC groups). */
  groups: z.array(z.string().min(1)).max(50).optional(),
});
export type JwtSettings = z.output<typeof jwtSettingsSchema>;
