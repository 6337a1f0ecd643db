/**
 * The device authorization grant (RFC 8628) for boxes without a browser: the IdP hands out a user
 * code and a verification URL to open anywhere; the agent polls the token endpoint until the user
 * has signed in there, the code expires, or the attempt is cancelled.
 */
import * as client from 'openid-client';
import type { Result } from '../../protocol/index.ts';
import { fail, ok } from '../../protocol/index.ts';
import type { AudienceParameter } from '../../protocol/broker-api.ts';
import { audienceParams } from './audience-request.ts';

/** A started device sign-in. */
export interface DeviceAttempt {
  verificationUrl: string;
  userCode: string;
  tokens: Promise<Result<client.TokenEndpointResponse>>;
  cancel: () => void;
}

/** Starts a device sign-in for `scope` with tokens for `audience`. */
export async function startDeviceAttempt(
  config: client.Configuration,
  scope: string,
  audience: string,
  how: AudienceParameter,
): Promise<Result<DeviceAttempt>> {
  if (!config.serverMetadata().device_authorization_endpoint)
    return fail(
      'login_failed',
      'The identity provider does not offer device sign-in; run `hourglass login --no-browser` and open the URL on any device',
    );
  let response: client.DeviceAuthorizationResponse;
  try {
    response = await client.initiateDeviceAuthorization(config, {
      scope,
      ...audienceParams(audience, how, 'authorize'),
      prompt: 'consent',
    });
  } catch {
    return fail(
      'unavailable',
      'The identity provider refused to start a device sign-in; retry shortly',
    );
  }
  const controller = new AbortController();
  const tokens = client
    .pollDeviceAuthorizationGrant(config, response, audienceParams(audience, how, 'code'), {
      signal: controller.signal,
    })
    .then(
      (t): Result<client.TokenEndpointResponse> => ok(t),
      // The error can quote the response; never echo it.
      () =>
        fail<client.TokenEndpointResponse>(
          'login_failed',
          controller.signal.aborted
            ? 'The sign-in was cancelled; run `hourglass login --device` again'
            : 'The device sign-in was not completed in time or was refused; run `hourglass login --device` again',
        ),
    );
  return ok({
    verificationUrl: response.verification_uri_complete ?? response.verification_uri,
    userCode: response.user_code,
    tokens,
    cancel: () => controller.abort(),
  });
}
