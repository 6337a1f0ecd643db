/**
 * Escape injection through the IdP (issue 18, finding 4): a subject with a control or
 * text-direction character is refused at the token boundary, saying which; a display name or email
 * with one is ignored (the subject is shown instead), so it never reaches another person's screen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../ports.ts';
import { createTokenVerifier } from './token-verifier.ts';

let server: Server;
let issuer: string;
let sign: (claims: JWTPayload, subject: string) => Promise<string>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        req.url === '/.well-known/openid-configuration'
          ? { issuer, jwks_uri: `${issuer}/jwks` }
          : { keys: [jwk] },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sign = (claims, subject) =>
    new SignJWT({ groups: ['engineers'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject(subject)
      .setAudience('urn:hourglass:broker')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
});

afterAll(() => server.close());

const verifier = () =>
  createTokenVerifier([{ issuer, audience: 'urn:hourglass:broker' }], systemClock);

describe('IdP claims carrying terminal escapes (threat: escape injection through the IdP)', () => {
  it.each([
    ['alice\u001b]0;pwned\u0007', 'U+001B'],
    ['alice\nbob', 'U+000A'],
    ['ali\u202eecs', 'U+202E'],
  ])('a subject %j is refused with 401, naming %s', async (subject, point) => {
    const result = await verifier()(await sign({}, subject));
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(result.ok ? '' : result.error.message).toContain(`subject contains ${point}`);
  });

  it('a display name or email with escapes is dropped; a clean preferred_username is used', async () => {
    const token = await sign(
      {
        name: 'Mallory\u001b[2J\rapproved by security',
        email: 'm@corp\u202e',
        preferred_username: 'mallory',
        groups: ['engineers', 'ops\u001b[31m'],
      },
      'mallory',
    );
    const result = await verifier()(token);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.name).toBe('mallory');
    expect(result.value.email).toBeUndefined();
    expect(result.value.groups).toEqual(['engineers']);
  });

  it('a clean name and email pass unchanged', async () => {
    const result = await verifier()(await sign({ name: 'Zoë Ünal', email: 'z@corp' }, 'zoe'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ subject: 'zoe', name: 'Zoë Ünal', email: 'z@corp' });
  });
});
