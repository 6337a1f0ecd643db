/** The demo identity provider: panva oidc-provider on 127.0.0.1 with the demo users and one native client. */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type Configuration, type JWK } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { findDemoUser } from './users.ts';
import { handleInteraction, isInteractionPath } from './idp-interactions.ts';

/** The demo desktop client's id. */
export const DEMO_CLIENT_ID = 'hourglass-desktop';

/** A running demo IdP. */
export interface DemoIdp {
  issuer: string;
  close(): Promise<void>;
}

async function signingKeys(): Promise<JWK[]> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const rsaJwk = await exportJWK(rsa.privateKey);
  const ecJwk = await exportJWK(ec.privateKey);
  return [
    { ...rsaJwk, kid: `rs-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' },
    { ...ecJwk, kid: `ec-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' },
  ] as JWK[];
}

/** How long a demo sign-in lasts: IdP session, grant and refresh token (8 hours unless a test says). */
export const DEMO_SESSION_TTL_SECONDS = 8 * 3600;

/** Access-token claim carrying when the sign-in ends (epoch seconds); the broker caps grants by it. */
export const SESSION_END_CLAIM = 'session_exp';

function providerConfig(
  brokerAudience: string,
  keys: JWK[],
  sessionTtl: number = DEMO_SESSION_TTL_SECONDS,
): Configuration {
  return {
    clients: [
      {
        client_id: DEMO_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        response_types: ['code'],
      },
    ],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Why: `groups` is a custom claim; without this the ID token would carry only standard claims.
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => {
      const user = findDemoUser(id);
      if (!user) return undefined;
      return {
        accountId: user.login,
        claims: () => ({
          sub: user.login,
          name: user.name,
          preferred_username: user.login,
          email: user.email,
          email_verified: true,
          groups: [...user.groups],
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 900,
      AuthorizationCode: 60,
      IdToken: 900,
      RefreshToken: sessionTtl,
      Interaction: 600,
      DeviceCode: 600,
      Session: sessionTtl,
      Grant: sessionTtl,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      // `hourglass login --device` on boxes without a browser (RFC 8628).
      deviceFlow: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) =>
          oneOf ? (oneOf.includes(brokerAudience) ? brokerAudience : oneOf) : brokerAudience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== brokerAudience) throw new errors.InvalidTarget();
          return {
            audience: brokerAudience,
            scope: 'groups',
            accessTokenFormat: 'jwt',
            accessTokenTTL: 900,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    extraTokenClaims: async (ctx, token) => {
      const user = 'accountId' in token ? findDemoUser(token.accountId) : undefined;
      if (!user) return undefined;
      // The sign-in ends when its grant does (refresh tokens cannot outlive it): tell the broker,
      // so no access grant outlives the session that asked for it.
      const grant =
        'grantId' in token ? await ctx.oidc.provider.Grant.find(token.grantId) : undefined;
      return {
        groups: [...user.groups],
        preferred_username: user.login,
        name: user.name,
        email: user.email,
        ...(grant?.exp !== undefined ? { [SESSION_END_CLAIM]: grant.exp } : {}),
      };
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the demo IdP on 127.0.0.1 (`port` 0 or absent: an ephemeral port). */
export async function startDemoIdp(opts: {
  port?: number;
  brokerAudience: string;
  /** Length of a sign-in (session, grant, refresh token); tests shorten it. */
  sessionTtlSeconds?: number;
  /** Told of each token-endpoint outcome (tests count refreshes and `invalid_grant`s). */
  onTokenGrant?: (outcome: { grantType: string; error: string | null }) => void;
}): Promise<DemoIdp> {
  const keys = await signingKeys();
  const server = createServer();
  const port = await listen(server, opts.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(
    issuer,
    providerConfig(opts.brokerAudience, keys, opts.sessionTtlSeconds),
  );
  const onGrant = opts.onTokenGrant;
  if (onGrant) {
    const grantType = (ctx: { oidc: { params?: { grant_type?: unknown } } }) => {
      const value = ctx.oidc.params?.grant_type;
      return typeof value === 'string' ? value : '';
    };
    provider.on('grant.success', (ctx) => onGrant({ grantType: grantType(ctx), error: null }));
    provider.on('grant.error', (ctx, error: { error?: string }) =>
      onGrant({ grantType: grantType(ctx), error: error.error ?? 'error' }),
    );
  }
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const pathname = new URL(req.url ?? '/', issuer).pathname;
    if (!isInteractionPath(pathname)) {
      void callback(req, res);
      return;
    }
    handleInteraction(provider, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('The demo IdP failed to handle this sign-in step.');
    });
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
