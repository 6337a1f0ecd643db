/**
 * Test support for the access-token boundary: an issuer that serves any key set over HTTP
 * (discovery + JWKS, as a real IdP or a misconfigured one would), and a signer of compact JWS
 * from raw header and payload bytes (so a test can sign what no JWT library would produce).
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** A running issuer whose key set the test may change between requests. */
export interface ForgeIssuer {
  issuer: string;
  /** The JSON served at the JWKS endpoint (any JSON: the test decides). */
  keySet: unknown;
  close(): Promise<void>;
}

/** Starts an issuer on 127.0.0.1 serving `keySet` as its JWKS. */
export async function startForgeIssuer(keySet: unknown): Promise<ForgeIssuer> {
  const state = { keySet };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        req.url === '/jwks' ? state.keySet : { issuer: base, jwks_uri: `${base}/jwks` },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    get keySet() {
      return state.keySet;
    },
    set keySet(value: unknown) {
      state.keySet = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A P-256 key pair: the private KeyObject and both JWK forms. */
export interface P256Key {
  privateKey: KeyObject;
  publicJwk: JWK;
  /** The JWK with the private `d`: what a broken IdP publishes by mistake. */
  privateJwk: JWK;
}

/** A fresh P-256 key pair. */
export function p256Key(): P256Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicJwk: publicKey.export({ format: 'jwk' }),
    privateJwk: privateKey.export({ format: 'jwk' }),
  };
}

/** The private key an attacker rebuilds from a JWK that carries `d`. */
export function privateKeyFromJwk(jwk: JWK): KeyObject {
  return createPrivateKey({
    key: jwk as JsonWebKey,
    format: 'jwk',
  });
}

const part = (value: Buffer | object): string =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/** A compact JWS over exactly these header and payload bytes, signed ES256 (r‖s) with `key`. */
export function signCompact(
  header: Buffer | object,
  payload: Buffer | object,
  key: KeyObject,
): string {
  const input = `${part(header)}.${part(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
