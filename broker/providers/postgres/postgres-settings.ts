/** The `postgres` role settings (policy) and target settings (broker config). */
import { z } from 'zod';
import { secretRefSchema, targetNameSchema } from '../provider-definition.ts';

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

/** A postgres target in the broker config: the admin connection and what clients connect to. */
export const postgresTargetSchema = z.strictObject({
  kind: z.literal('postgres'),
  /** `postgres://admin:…@host:port/db` of a role with CREATEROLE; by env var or file. */
  adminUrl: secretRefSchema,
  /** Where clients connect; defaults to the admin URL's host, port and database. */
  connect: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      database: z.string().min(1).optional(),
      sslmode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
    })
    .default({}),
});
export type PostgresTarget = z.output<typeof postgresTargetSchema>;
