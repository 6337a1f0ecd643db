/**
 * Interactive sign-in: authorization code + PKCE S256 with a fresh verifier, state and nonce per
 * attempt, through the system browser and a loopback redirect. One sign-in at a time.
 */
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import type { Me, Result } from '../../protocol/index.ts';
import { fail, ok } from '../../protocol/index.ts';
import type { Session } from '../session.ts';
import { startLoopbackListener } from './loopback-listener.ts';
import type { LoopbackCallback } from './loopback-listener.ts';
import type { OidcConnection } from './oidc-connection.ts';

/** Begins and awaits sign-ins. */
export interface LoginFlow {
  begin(input: {
    openBrowser: boolean;
  }): Promise<Result<{ loginId: string; authorizationUrl: string }>>;
  wait(loginId: string): Promise<Result<Me>>;
  /** Cancels a pending sign-in (agent shutdown). */
  cancel(): void;
}

/** What the flow needs. */
export interface LoginFlowDeps {
  oidc: OidcConnection;
  session: Session;
  audience: string;
  fetchMe: () => Promise<Result<Me>>;
  openBrowser: (url: string) => Promise<boolean>;
  timeoutMs?: number;
}

const SCOPE = 'openid profile email groups offline_access';

/** Creates the sign-in flow. */
export function createLoginFlow(deps: LoginFlowDeps): LoginFlow {
  const outcomes = new Map<string, Promise<Result<Me>>>();
  let pending: { loginId: string; authorizationUrl: string; close: () => void } | null = null;

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
        {
          resource: deps.audience,
        },
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

  type Started = Result<{ loginId: string; authorizationUrl: string }>;
  let starting: Promise<Started> | null = null;

  async function startAttempt(input: { openBrowser: boolean }): Promise<Started> {
    const config = await deps.oidc.configuration();
    if (!config.ok) return config;
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
      scope: SCOPE,
      prompt: 'consent',
      resource: deps.audience,
      code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: checks.expectedState,
      nonce: checks.expectedNonce,
    });
    const loginId = randomUUID();
    outcomes.clear();
    const current = { loginId, authorizationUrl: url.href, close: () => listener.close() };
    pending = current;
    const outcome = listener.callback
      .then((cb) => (cb.ok ? complete(config.value, cb.value, checks) : cb))
      .catch(() =>
        fail<Me>('login_failed', 'The sign-in failed unexpectedly; run `hourglass login` again'),
      )
      .finally(() => {
        if (pending === current) pending = null;
      });
    outcomes.set(loginId, outcome);
    if (input.openBrowser) await deps.openBrowser(url.href);
    return ok({ loginId, authorizationUrl: url.href });
  }

  const joinPending = () =>
    pending ? ok({ loginId: pending.loginId, authorizationUrl: pending.authorizationUrl }) : null;

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
