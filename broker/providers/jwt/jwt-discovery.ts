/**
 * What lets an API or a Kubernetes API server trust the broker's tokens: OIDC discovery (issuer,
 * JWKS) and RFC 7662 introspection, which answers `active: false` the moment a grant is revoked
 * (its token ids are marked in the repository) or ends, so a resource server sees it at once.
 */
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../../http-gate/route-access.ts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { SigningKey } from '../../credentials/signing-key.ts';
import type { Clock } from '../../ports.ts';
import type { GrantRepository } from '../../store/grant-repository.ts';

/** Path of the introspection endpoint (outside /v1: resource servers hold no user token). */
export const INTROSPECTION_PATH = '/oauth/introspect';

/** What the routes need. */
export interface DiscoveryDeps {
  repo: GrantRepository;
  clock: Clock;
  signingKey: SigningKey;
  publicUrl: () => string;
}

/** RFC 7662 answer for `token`: active only for a live, unrevoked token of an active grant. */
export async function introspect(
  deps: DiscoveryDeps,
  token: string,
): Promise<Record<string, unknown>> {
  const inactive = { active: false };
  const keys = createLocalJWKSet({ keys: [deps.signingKey.publicJwk] });
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: deps.publicUrl(),
      algorithms: ['ES256'],
      currentDate: deps.clock.now(),
    }));
  } catch {
    return inactive;
  }
  if (typeof payload.jti !== 'string' || typeof payload.grant_id !== 'string') return inactive;
  if ((await deps.repo.isTokenRevoked(payload.jti)) !== false) return inactive;
  const grant = await deps.repo.findGrant(payload.grant_id);
  const now = deps.clock.now().getTime();
  if (grant?.status !== 'active' || !grant.expiresAt || Date.parse(grant.expiresAt) <= now)
    return inactive;
  const { iss, sub, aud, exp, iat, jti, grant_id, role, groups } = payload;
  return {
    active: true,
    token_type: 'Bearer',
    iss,
    sub,
    aud,
    exp,
    iat,
    jti,
    grant_id,
    role,
    groups,
  };
}

/** Installs discovery and introspection on the broker app. */
export function discoveryRoutes(app: FastifyInstance, deps: DiscoveryDeps): void {
  // Public: resource servers hold no user token; the token presented is what is checked.
  app.get('/.well-known/openid-configuration', { config: publicRoute }, () => {
    const issuer = deps.publicUrl();
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}${INTROSPECTION_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'grant_id', 'role', 'groups'],
    };
  });
  void app.register((scope, _opts, done) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_request, body, parsed) =>
        parsed(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.post(INTROSPECTION_PATH, { config: publicRoute }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      void reply.header('cache-control', 'no-store');
      if (typeof body.token !== 'string' || body.token.length === 0 || body.token.length > 8192) {
        void reply.code(400);
        return { error: 'invalid_request', error_description: 'send token=<jwt> as a form field' };
      }
      return introspect(deps, body.token);
    });
    done();
  });
}
