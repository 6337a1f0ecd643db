/** The `ssh` credential: an OpenSSH user certificate for the device's own key (never the private key). */
import { z } from 'zod';
import { targetNameSchema } from './target-name.ts';

/** A signed certificate and what it allows. */
export const sshCredentialSchema = z.object({
  kind: z.literal('ssh'),
  /** The certificate line (`ssh-ed25519-cert-v01@openssh.com AAAA… <key id>`), for `<key>-cert.pub`. */
  certificate: z.string().min(1).max(16_384),
  /** `hourglass:<user>:<grant>`: what sshd logs and a revocation list names. */
  keyId: z.string().min(1).max(512),
  /** The certificate's serial, decimal. */
  serial: z.string().regex(/^[0-9]{1,20}$/),
  principals: z.array(z.string()).min(1),
  validAfter: z.iso.datetime(),
  validBefore: z.iso.datetime(),
  /** Where to connect, when the target names it. */
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

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
