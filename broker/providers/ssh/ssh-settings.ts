/** The `ssh` role settings (policy) and target settings (broker config: the CA key). */
import { z } from 'zod';
import { secretRefSchema, targetNameSchema } from '../provider-definition.ts';

/** A login name a certificate may carry (what sshd matches against AuthorizedPrincipals). */
export const principalSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'a principal is a login name: lowercase, digits, _ . -');

/** Certificate extensions sshd knows. */
export const sshExtensionSchema = z.enum([
  'permit-X11-forwarding',
  'permit-agent-forwarding',
  'permit-port-forwarding',
  'permit-pty',
  'permit-user-rc',
]);

/** Policy `provider` block of an ssh role. */
export const sshSettingsSchema = z.strictObject({
  kind: z.literal('ssh'),
  target: targetNameSchema,
  principals: z.array(principalSchema).min(1).max(32),
  extensions: z.array(sshExtensionSchema).default(['permit-pty']),
  /** Critical option `force-command`: the only command the certificate may run. */
  forceCommand: z.string().min(1).max(1000).optional(),
  /** Critical option `source-address`: client addresses (CIDR) the certificate is valid from. */
  sourceAddress: z
    .array(z.string().regex(/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/, 'an address or CIDR'))
    .min(1)
    .max(32)
    .optional(),
});
export type SshSettings = z.output<typeof sshSettingsSchema>;

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
