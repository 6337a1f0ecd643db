/**
 * How the agent asks the IdP for an access token whose `aud` is the broker: the parameters of
 * each OAuth request for the issuer's `audienceParameter` (published by the broker, written by
 * `hourglass setup`). Pure, so each IdP's shape is table-tested.
 */
import type { AudienceParameter } from '../../protocol/broker-api.ts';

/** The OAuth request being built. */
export type AudienceStep = 'authorize' | 'code' | 'refresh';

/** The `/.default` scope that names `audience` at Entra ID. */
function defaultScope(audience: string): string {
  return audience.endsWith('/.default') ? audience : `${audience.replace(/\/+$/, '')}/.default`;
}

/** The `scope` to ask for: `base`, plus the audience's `/.default` scope where that is the way. */
export function audienceScope(base: string, audience: string, how: AudienceParameter): string {
  return how === 'scope' ? `${base} ${defaultScope(audience)}` : base;
}

/** Extra parameters of one request (authorization and device start: `authorize`). */
export function audienceParams(
  audience: string,
  how: AudienceParameter,
  step: AudienceStep,
): Record<string, string> {
  switch (how) {
    case 'resource':
      // RFC 8707: the resource indicator on every request.
      return { resource: audience };
    case 'audience':
      // Auth0 reads it when the authorization starts; later requests keep that audience.
      return step === 'authorize' ? { audience } : {};
    case 'scope':
      // Entra ID v2 asks for the scope again on refresh; the code exchange keeps the first.
      return step === 'refresh'
        ? { scope: audienceScope('openid offline_access', audience, how) }
        : {};
    case 'none':
      return {};
  }
}
