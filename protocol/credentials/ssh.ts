/** The `ssh` credential: an OpenSSH user certificate for the device's own key (never the private key). */
import { z } from 'zod';

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
