/** The `postgres` credential: a temporary login role on one PostgreSQL server. */
import { z } from 'zod';

/** A PostgreSQL login: where to connect and as whom. */
export const postgresCredentialSchema = z.object({
  kind: z.literal('postgres'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1),
  user: z.string().min(1).max(63),
  password: z.string().min(1),
  sslmode: z.string().optional(),
});
