/** Signs an OpenSSH user certificate for the device's public key with the target's CA (sshpk). */
import { randomBytes } from 'node:crypto';
import sshpk from 'sshpk';
import { ProviderError } from '../../credentials/provider.ts';
import type { SshSettings } from './ssh-settings.ts';

/** Characters a key id keeps from the subject; any other is written as `_`. */
const KEY_ID_UNSAFE = /[^A-Za-z0-9._@+=-]/g;

/**
 * The key id of a grant's certificate: sshd logs it, a revocation list names it. The subject comes
 * from the IdP: a newline or control character in it would forge lines in sshd's log (issue 18,
 * finding 12), so only a safe charset is kept. The grant id (letters, digits, `_`, `-`) keeps it
 * unique.
 */
export const sshKeyId = (grant: { subject: string; id: string }): string =>
  `hourglass:${grant.subject.replace(KEY_ID_UNSAFE, '_')}:${grant.id}`;

/**
 * Key ids a revocation list names for a grant: the safe one, and the raw one certificates signed
 * before the key id was made safe carry (the same when the subject was already safe).
 */
export const sshRevokedKeyIds = (grant: { subject: string; id: string }): string[] => [
  ...new Set([sshKeyId(grant), `hourglass:${grant.subject}:${grant.id}`]),
];

/** Parses the device's public key; only ed25519 and ECDSA keys are signed. */
export function parseDevicePublicKey(text: string | undefined): sshpk.Key {
  if (!text)
    throw new ProviderError('bad_request', 'an ssh grant signs your public key: send publicKey');
  let key: sshpk.Key;
  try {
    key = sshpk.parseKey(text.trim(), 'ssh');
  } catch {
    throw new ProviderError('bad_request', 'publicKey is not an OpenSSH public key line');
  }
  if (key.type !== 'ed25519' && key.type !== 'ecdsa')
    throw new ProviderError('bad_request', `publicKey must be ed25519 or ECDSA, not ${key.type}`);
  return key;
}

/** Parses the CA's private key (an RSA CA is refused: sshpk signs RSA certificates with SHA-1). */
export function parseCaKey(text: string, target: string): sshpk.PrivateKey {
  let key: sshpk.PrivateKey;
  try {
    key = sshpk.parsePrivateKey(text, 'auto');
  } catch {
    throw new Error(`targets.${target}.caKey is not a private key in OpenSSH or PEM format`);
  }
  if (key.type !== 'ed25519' && key.type !== 'ecdsa')
    throw new Error(`targets.${target}.caKey must be ed25519 or ECDSA (sshd rejects SHA-1 RSA)`);
  return key;
}

const sshString = (value: string): Buffer => {
  const data = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
};

/** What a signed certificate says. */
export interface SignedCertificate {
  certificate: string;
  serial: string;
  validAfter: Date;
  validBefore: Date;
}

/** Signs `key` for `settings.principals`, valid from `now - skew` until `validBefore`. */
export function signUserCertificate(input: {
  ca: sshpk.PrivateKey;
  key: sshpk.Key;
  settings: SshSettings;
  keyId: string;
  now: Date;
  skewSeconds: number;
  validBefore: Date;
}): SignedCertificate {
  const { settings } = input;
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f; // keeps the decimal serial within int64 for every tool
  // Certificates count whole seconds: the end rounds down, never past the grant's deadline.
  const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  const validAfter = second(input.now.getTime() - input.skewSeconds * 1000);
  const validBefore = second(input.validBefore.getTime());
  const cert = sshpk.createCertificate(
    settings.principals.map((p) => sshpk.identityForUser(p)),
    input.key,
    sshpk.identityForUser('hourglass'),
    input.ca,
    { validFrom: validAfter, validUntil: validBefore, serial },
  );
  const critical = [
    ...(settings.forceCommand ? [['force-command', settings.forceCommand] as const] : []),
    ...(settings.sourceAddress
      ? [['source-address', settings.sourceAddress.join(',')] as const]
      : []),
  ].map(([name, value]) => ({ critical: true, name, data: sshString(value) }));
  // OpenSSH wants options and extensions each in lexical order.
  const extensions = [...new Set(settings.extensions)]
    .sort()
    .map((name) => ({ critical: false, name, data: Buffer.alloc(0) }));
  const openssh = cert.signatures.openssh as { keyId?: string; exts?: unknown[] } | undefined;
  if (!openssh) throw new Error('sshpk made no OpenSSH signature');
  openssh.keyId = input.keyId;
  openssh.exts = [...critical, ...extensions];
  cert.signWith(input.ca);
  return {
    certificate: cert.toString('openssh').trim(),
    serial: BigInt(`0x${serial.toString('hex')}`).toString(),
    validAfter,
    validBefore,
  };
}
