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
  /** Signs one token for `subject` (group `engineers`), issued and expiring when given. */
  token(opts: {
    subject: string;
    audience: string;
    issuedAt: Date;
    expiresAt: Date;
    groups?: string[];
  }): Promise<string>;
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
  const token: BenchIssuer['token'] = (opts) =>
    new SignJWT({
      groups: opts.groups ?? ['engineers'],
      name: `User ${opts.subject}`,
      session_exp: Math.floor(opts.issuedAt.getTime() / 1000) + 8 * 3600,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
      .setIssuer(issuer)
      .setSubject(opts.subject)
      .setAudience(opts.audience)
      .setIssuedAt(Math.floor(opts.issuedAt.getTime() / 1000))
      .setExpirationTime(Math.floor(opts.expiresAt.getTime() / 1000))
      .sign(privateKey);
  return {
    issuer,
    token,
    async tokens(count, audience, opts = {}) {
      const out: string[] = [];
      const issuedAt = new Date();
      const expiresAt = new Date(issuedAt.getTime() + 3600_000);
      for (let i = 0; i < count; i += 1) {
        const subject = `${opts.subjectPrefix ?? 'u'}${i}`;
        out.push(
          await token({
            subject,
            audience,
            issuedAt,
            expiresAt,
            ...(opts.groups ? { groups: opts.groups } : {}),
          }),
        );
      }
      return out;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
