/** The `jwt` role settings in the policy: the token's audience, extra claims and groups. */
import { z } from 'zod';

/** Policy `provider` block of a jwt role. */
export const jwtSettingsSchema = z.strictObject({
  kind: z.literal('jwt'),
  audience: z.string().min(1),
  claims: z.record(z.string(), z.string()).optional(),
  /** The token's `groups` claim (what a Kubernetes API server maps to RBAC groups). */
  groups: z.array(z.string().min(1)).max(50).optional(),
});
export type JwtSettings = z.output<typeof jwtSettingsSchema>;
