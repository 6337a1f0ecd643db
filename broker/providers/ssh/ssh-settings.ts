/** The `ssh` role settings (policy, defined with the provider's contract in protocol/) and target settings (broker config: the CA key). */
import { z } from 'zod';
import { secretRefSchema } from '../provider-definition.ts';

export {
  principalSchema,
  sshExtensionSchema,
  sshSettingsSchema,
  type SshSettings,
} from '../../../protocol/credentials/ssh.ts';

/** An ssh target in the broker config: the user CA, and where clients connect. */
export const sshTargetSchema = z.strictObject({
  kind: z.literal('ssh'),
  /** The CA's private key (OpenSSH format, ed25519 or ECDSA), by env var or file. */
  caKey: secretRefSchema,
  /** A certificate is valid from this many seconds before it is signed (clock skew). */
  skewSeconds: z.number().int().min(0).max(600).default(60),
  connect: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).optional(),
    })
    .default({}),
});
export type SshTarget = z.output<typeof sshTargetSchema>;
