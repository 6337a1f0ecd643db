/** The broker's ES256 signing key: read from a file, or generated into it (mode 0600) when missing. */
import { createPrivateKey, hkdfSync, sign } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** A loaded signing key and its public JWK for the JWKS. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /**
   * A 32-byte key derived (HKDF-SHA256) from the private key for `label`: what a provider keys its
   * own derivations with (e.g. a database role's password from its grant id), so no second secret
   * file is needed and nothing derived is ever stored.
   */
  deriveSecret(label: string): Buffer;
  /**
   * The ES256 signature (raw r‖s, base64url) of `signingInput`, computed in this thread with
   * node:crypto: about a third of the CPU of the same signature through WebCrypto (bench/README.md).
   */
  signEs256(signingInput: string): string;
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  const { d: _d, ...publicPart } = jwk;
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey;
  const material = Buffer.from(jwk.d ?? '', 'base64url');
  const keyObject = createPrivateKey({ key: { ...jwk }, format: 'jwk' });
  return {
    kid,
    privateKey,
    publicJwk: { ...publicPart, kid, alg: 'ES256', use: 'sig' },
    deriveSecret: (label) =>
      Buffer.from(hkdfSync('sha256', material, 'hourglass', `hourglass:${label}`, 32)),
    signEs256: (signingInput) =>
      sign('sha256', Buffer.from(signingInput), {
        key: keyObject,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url'),
  };
}

/** Loads the private JWK at `path`, generating one (0600, exclusive create) when the file is missing. */
export async function loadOrCreateSigningKey(path: string): Promise<SigningKey> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read the signing key at ${path}`);
  }
  if (text === undefined) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    await writeFile(path, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    return fromJwk(jwk);
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new Error(`the signing key at ${path} is not a JWK (JSON)`);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) {
    throw new Error(`the signing key at ${path} must be a private EC P-256 JWK`);
  }
  return fromJwk(jwk);
}
