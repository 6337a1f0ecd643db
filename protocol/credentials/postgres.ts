/** The `postgres` credential: a temporary login role on one PostgreSQL server. */
import { z } from 'zod';
import { targetNameSchema } from './target-name.ts';

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

/** A plain PostgreSQL role name; anything else (quotes, spaces, `;`) is refused, not escaped. */
export const pgRoleNameSchema = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    'a PostgreSQL role is lowercase letters, digits and _ (starting with a letter or _)',
  );

/** Policy `provider` block of a postgres role. */
export const postgresSettingsSchema = z.strictObject({
  kind: z.literal('postgres'),
  /** A `targets:` entry of the broker config. */
  target: targetNameSchema,
  /** The existing group role whose privileges the temporary login role inherits. */
  role: pgRoleNameSchema,
  connectionLimit: z.number().int().min(1).max(100).default(5),
});
export type PostgresSettings = z.output<typeof postgresSettingsSchema>;
