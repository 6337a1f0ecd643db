/** The `postgres` role settings (policy, defined with the provider's contract in protocol/) and target settings (broker config). */
import { z } from 'zod';
import { secretRefSchema } from '../provider-definition.ts';

export {
  pgRoleNameSchema,
  postgresSettingsSchema,
  type PostgresSettings,
} from '../../../protocol/credentials/postgres.ts';

/** A postgres target in the broker config: the admin connection and what clients connect to. */
export const postgresTargetSchema = z.strictObject({
  kind: z.literal('postgres'),
  /** `postgres://…@host:port/db` of the least-privileged provisioning role (provisioner-role.ts); by env var or file. */
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
