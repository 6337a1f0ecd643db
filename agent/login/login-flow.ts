/**
 * Interactive sign-in: authorization code + PKCE S256 with a fresh verifier, state and nonce per
 * attempt, through the system browser and a loopback redirect. One sign-in at a time.
 */
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import type { Me, Result } from '../../protocol/index.ts';
import { fail, ok } from '../../protocol/index.ts';
import type { Session } from '../session.ts';
import { startDeviceAttempt } from './device-flow.ts';
import { startLoopbackListener } from './loopback-listener.ts';
import type { LoopbackCallback } from './loopback-listener.ts';
import type { OidcConnection } from './oidc-connection.ts';
import type { AudienceParameter } from '../../protocol/broker-api.ts';
import { audienceParams, audienceScope } from './audience-request.ts';

/** A begun sign-in: its id, where to sign in, and for a device sign-in the code to confirm. */
type Started = Result<{ loginId: string; authorizationUrl: string; userCode?: string }>;

/** Begins and awaits sign-ins. */
export interface LoginFlow {
  begin(input: { openBrowser: boolean; device?: boolean }): Promise<Started>;
  wait(loginId: string): Promise<Result<Me>>;
  /** Cancels a pending sign-in (agent shutdown). */
  cancel(): void;
}

/** What the flow needs. */
export interface LoginFlowDeps {
  oidc: OidcConnection;
  session: Session;
  audience: string;
  /** How the IdP is asked for `audience` (default `resource`). */
  audienceParameter?: AudienceParameter;
  fetchMe: () => Promise<Result<Me>>;
  openBrowser: (url: string) => Promise<boolean>;
  timeoutMs?: number;
}

const SCOPE = 'openid profile email groups offline_access';

/** Creates the sign-in flow. */
export function createLoginFlow(deps: LoginFlowDeps): LoginFlow {
  const how = deps.audienceParameter ?? 'resource';
  const scope = audienceScope(SCOPE, deps.audience, how);
  const outcomes = new Map<string, Promise<Result<Me>>>();
  let pending: {
    loginId: string;
    authorizationUrl: string;
    userCode?: string;
    close: () => void;
  } | null = null;

  async function complete(
    config: client.Configuration,
    callback: LoopbackCallback,
    checks: { pkceCodeVerifier: string; expectedState: string; expectedNonce: string },
  ): Promise<Result<Me>> {
    let tokens: client.TokenEndpointResponse;
    try {
      tokens = await client.authorizationCodeGrant(
        config,
        callback.url,
        { ...checks, idTokenExpected: true },
        audienceParams(deps.audience, how, 'code'),
      );
    } catch {
      // The error can quote the response; never echo it (it may carry a code or token).
      callback.finish({ ok: false });
      return fail(
        'login_failed',
        'The identity provider did not complete the sign-in; run `hourglass login` again',
      );
    }
    const adopted = await deps.session.adopt(tokens);
    if (!adopted.ok) {
      callback.finish({ ok: false });
      return adopted;
    }
    const me = await deps.fetchMe();
    callback.finish({ ok: me.ok });
    return me;
  }

  let starting: Promise<Started> | null = null;

  /** Tracks `outcome` as the pending sign-in until it settles. */
  function track(current: NonNullable<typeof pending>, outcome: Promise<Result<Me>>): void {
    outcomes.clear();
    pending = current;
    outcomes.set(
      current.loginId,
      outcome
        .catch(() =>
          fail<Me>('login_failed', 'The sign-in failed unexpectedly; run `hourglass login` again'),
        )
        .finally(() => {
          if (pending === current) pending = null;
        }),
    );
  }

  async function startDevice(config: client.Configuration): Promise<Started> {
    const attempt = await startDeviceAttempt(config, scope, deps.audience, how);
    if (!attempt.ok) return attempt;
    const { verificationUrl, userCode, tokens, cancel } = attempt.value;
    const current = {
      loginId: randomUUID(),
      authorizationUrl: verificationUrl,
      userCode,
      close: cancel,
    };
    track(
      current,
      tokens.then(async (t) => {
        if (!t.ok) return t;
        const adopted = await deps.session.adopt(t.value);
        return adopted.ok ? deps.fetchMe() : adopted;
      }),
    );
    return ok({ loginId: current.loginId, authorizationUrl: verificationUrl, userCode });
  }

  async function startAttempt(input: { openBrowser: boolean; device?: boolean }): Promise<Started> {
    const config = await deps.oidc.configuration();
    if (!config.ok) return config;
    if (input.device) return startDevice(config.value);
    const checks = {
      pkceCodeVerifier: client.randomPKCECodeVerifier(),
      expectedState: client.randomState(),
      expectedNonce: client.randomNonce(),
    };
    const listener = await startLoopbackListener({
      expectedState: checks.expectedState,
      timeoutMs: deps.timeoutMs ?? 5 * 60_000,
    });
    const url = client.buildAuthorizationUrl(config.value, {
      redirect_uri: listener.redirectUri,
      scope,
      prompt: 'consent',
      ...audienceParams(deps.audience, how, 'authorize'),
      code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: checks.expectedState,
      nonce: checks.expectedNonce,
    });
    const loginId = randomUUID();
    const current = { loginId, authorizationUrl: url.href, close: () => listener.close() };
    track(
      current,
      listener.callback.then((cb) => (cb.ok ? complete(config.value, cb.value, checks) : cb)),
    );
    if (input.openBrowser) await deps.openBrowser(url.href);
    return ok({ loginId, authorizationUrl: url.href });
  }

  const joinPending = (): Started | null =>
    pending
      ? ok({
          loginId: pending.loginId,
          authorizationUrl: pending.authorizationUrl,
          ...(pending.userCode ? { userCode: pending.userCode } : {}),
        })
      : null;

  return {
    begin(input) {
      // One sign-in at a time: a second caller (tray, CLI, a CLI run again after Ctrl-C) joins the
      // pending attempt, or the one still starting, and opens no new browser.
      const joined = joinPending();
      if (joined) return Promise.resolve(joined);
      starting ??= startAttempt(input).finally(() => {
        starting = null;
      });
      return starting;
    },
    async wait(loginId) {
      const outcome = outcomes.get(loginId);
      if (!outcome) return fail('not_found', 'No such sign-in; run `hourglass login` again');
      return outcome;
    },
    cancel() {
      pending?.close();
    },
  };
}
