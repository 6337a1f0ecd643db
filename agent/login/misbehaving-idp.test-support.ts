/**
 * A small OIDC provider for relying-party tests whose misbehaviour is chosen per case: discovery,
 * JWKS, an authorize endpoint that redirects straight back with code + state (no browser), token
 * (code and refresh) and userinfo. ID tokens are ES256, signed with jose. Test support only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK, JWTPayload } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** How the provider misbehaves; every field absent means a well-behaved provider. */
export interface IdpBehaviour {
  /** Rewrites the ID token claims of a code exchange. */
  idClaims?: (claims: JWTPayload) => JWTPayload;
  /** Rewrites the ID token claims of a refresh. */
  refreshClaims?: (claims: JWTPayload) => JWTPayload;
  /** `bad_signature`: signed by a key not in the JWKS (same kid); `none`: an unsecured JWT. */
  signing?: 'bad_signature' | 'none';
  /** The issuer the discovery document announces. */
  discoveryIssuer?: string;
  /** The state sent back to the redirect URI. */
  redirectState?: (state: string) => string;
  /** Redirects with the code of the previous sign-in and honours it again. */
  replayCode?: boolean;
  /** The `sub` userinfo answers with. */
  userinfoSub?: string;
  /** Publish the key without a `kid` and sign without one. */
  noKid?: boolean;
}

interface CodeGrant {
  nonce: string;
  tokens: Record<string, unknown> | null;
}

/** A running provider. */
export interface MisbehavingIdp {
  issuer: string;
  clientId: string;
  behaviour: IdpBehaviour;
  /** Every secret the provider handed out (codes, tokens), to check nothing echoes them. */
  secrets: Set<string>;
  /** Hits per path. */
  hits: Map<string, number>;
  /** Replaces the signing key (new kid); the old one leaves the JWKS. */
  rotateKey(): Promise<void>;
  close(): Promise<void>;
}

const CLIENT_ID = 'hourglass-cli';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  jwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

/** Starts the provider on 127.0.0.1. */
export async function startMisbehavingIdp(): Promise<MisbehavingIdp> {
  let key = await newKey();
  const stranger = await newKey();
  const codes = new Map<string, CodeGrant>();
  const refreshSubjects = new Map<string, string>();
  const secrets = new Set<string>();
  const hits = new Map<string, number>();
  let lastCode: string | null = null;
  const behaviour: IdpBehaviour = {};
  let issuer = '';

  const secret = () => {
    const value = randomBytes(24).toString('base64url');
    secrets.add(value);
    return value;
  };

  async function sign(claims: JWTPayload): Promise<string> {
    const header = behaviour.noKid ? { alg: 'ES256' } : { alg: 'ES256', kid: key.kid };
    if (behaviour.signing === 'none') return `${b64({ alg: 'none' })}.${b64(claims)}.`;
    const signer = behaviour.signing === 'bad_signature' ? stranger : key;
    return new SignJWT(claims).setProtectedHeader(header).sign(signer.privateKey);
  }

  function baseClaims(sub: string): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    return { iss: issuer, sub, aud: CLIENT_ID, iat: now, exp: now + 300 };
  }

  async function tokens(claims: JWTPayload, sub: string): Promise<Record<string, unknown>> {
    const refreshToken = secret();
    refreshSubjects.set(refreshToken, sub);
    const idToken = await sign(claims);
    secrets.add(idToken);
    return {
      access_token: secret(),
      token_type: 'Bearer',
      expires_in: 60,
      refresh_token: refreshToken,
      id_token: idToken,
    };
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    if (form.get('grant_type') === 'authorization_code') {
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      if (!grant) return json(res, 400, { error: 'invalid_grant' });
      // A misbehaving provider honours a code twice: it hands back the tokens it minted the first time.
      if (grant.tokens && !behaviour.replayCode) return json(res, 400, { error: 'invalid_grant' });
      const claims = { ...baseClaims('alice'), nonce: grant.nonce };
      grant.tokens ??= await tokens(
        behaviour.idClaims ? behaviour.idClaims(claims) : claims,
        'alice',
      );
      return json(res, 200, grant.tokens);
    }
    if (form.get('grant_type') === 'refresh_token') {
      const sub = refreshSubjects.get(form.get('refresh_token') ?? '');
      if (!sub) return json(res, 400, { error: 'invalid_grant' });
      refreshSubjects.delete(form.get('refresh_token') ?? '');
      const claims = baseClaims(sub);
      const rewritten = behaviour.refreshClaims ? behaviour.refreshClaims(claims) : claims;
      return json(res, 200, await tokens(rewritten, String(rewritten.sub)));
    }
    json(res, 400, { error: 'unsupported_grant_type' });
  }

  function authorize(url: URL, res: ServerResponse): void {
    const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
    const state = url.searchParams.get('state') ?? '';
    let code = secret();
    if (behaviour.replayCode && lastCode) code = lastCode;
    else codes.set(code, { nonce: url.searchParams.get('nonce') ?? '', tokens: null });
    lastCode = code;
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', behaviour.redirectState?.(state) ?? state);
    redirect.searchParams.set('iss', issuer);
    res.writeHead(302, { location: redirect.href }).end();
  }

  function discovery(res: ServerResponse): void {
    json(res, 200, {
      issuer: behaviour.discoveryIssuer ?? issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      authorization_response_iss_parameter_supported: true,
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const route = async () => {
      switch (url.pathname) {
        case '/.well-known/openid-configuration':
          return discovery(res);
        case '/jwks': {
          const { kid: _kid, ...bare } = key.jwk;
          return json(res, 200, { keys: [behaviour.noKid ? bare : key.jwk] });
        }
        case '/authorize':
          return authorize(url, res);
        case '/token':
          return token(req, res);
        case '/userinfo':
          return json(res, 200, { sub: behaviour.userinfoSub ?? 'alice', name: 'Alice' });
        default:
          return json(res, 404, { error: 'not_found' });
      }
    };
    route().catch(() => json(res, 500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId: CLIENT_ID,
    behaviour,
    secrets,
    hits,
    async rotateKey() {
      key = await newKey();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
