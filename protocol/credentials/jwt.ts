/** The `jwt` credential: a broker-signed bearer token for HTTP APIs and Kubernetes. */
import { z } from 'zod';

/** A JWT credential. */
export const jwtCredentialSchema = z.object({
  kind: z.literal('jwt'),
  token: z.string(),
  tokenType: z.literal('Bearer'),
  audience: z.string(),
});
