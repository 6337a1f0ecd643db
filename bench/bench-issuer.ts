/**
 * A tiny OIDC issuer for broker benches: discovery and JWKS over HTTP, and pre-signed ES256
 * access tokens for many distinct users (the broker verifies them for real; a bench needs more
 * users than the demo IdP has, since each user holds one live grant per role).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

/** A running bench issuer. */
export interface BenchIssuer {
  issuer: string;
  /**
   * Signs `count` tokens for users `u0`… (or `<subjectPrefix>0`…), group `engineers` (or
   * `groups`), audience `audience`.
   */
  tokens(
    count: number,
    audience: string,
    opts?: { groups?: string[]; subjectPrefix?: string },
  ): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the issuer on 127.0.0.1. */
export async function startBenchIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        req.url === '/jwks' ? { keys: [jwk] } : { issuer: base, jwks_uri: `${base}/jwks` },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    async tokens(count, audience, opts = {}) {
      const out: string[] = [];
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < count; i += 1) {
        out.push(
          await new SignJWT({
            groups: opts.groups ?? ['engineers'],
            name: `User ${i}`,
            session_exp: now + 8 * 3600,
          })
            .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
            .setIssuer(issuer)
            .setSubject(`${opts.subjectPrefix ?? 'u'}${i}`)
            .setAudience(audience)
            .setIssuedAt(now)
            .setExpirationTime(now + 3600)
            .sign(privateKey),
        );
      }
      return out;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
