/** The broker HTTP client: every response parsed with `brokerContract`, errors mapped to Failures. */
import type { z } from 'zod';
import type {
  BrokerMethod,
  CreateRequestBody,
  DecisionBody,
  ExtendBody,
  Failure,
  IssueCredentialsBody,
  Result,
  RevokeBody,
  WipedBody,
} from '../protocol/index.ts';
import {
  brokerContract,
  errorBodySchema,
  fail,
  IDEMPOTENCY_HEADER,
  ok,
} from '../protocol/index.ts';
import type { Clock } from './clock.ts';

/** Methods answered with one JSON body (the event stream is read by `broker-events.ts`). */
export type BrokerJsonMethod = Exclude<BrokerMethod, 'streamEvents'>;

type Response<M extends BrokerJsonMethod> = z.infer<(typeof brokerContract)[M]['response']>;
type Answer<M extends BrokerJsonMethod> = Promise<Result<Response<M>>>;

/** Typed calls to the broker; each answers a Result and never throws. */
export interface BrokerClient {
  getMe(): Answer<'getMe'>;
  listRoles(): Answer<'listRoles'>;
  /** `idempotencyKey`: the same for every retry of one request. */
  createRequest(body: CreateRequestBody, idempotencyKey: string): Answer<'createRequest'>;
  listGrants(): Answer<'listGrants'>;
  getGrant(id: string): Answer<'getGrant'>;
  issueCredentials(id: string, body?: IssueCredentialsBody): Answer<'issueCredentials'>;
  listApprovals(): Answer<'listApprovals'>;
  approveGrant(id: string, body: DecisionBody): Answer<'approveGrant'>;
  denyGrant(id: string, body: DecisionBody): Answer<'denyGrant'>;
  cancelGrant(id: string): Answer<'cancelGrant'>;
  extendGrant(id: string, body: ExtendBody): Answer<'extendGrant'>;
  revokeGrant(id: string, body: RevokeBody): Answer<'revokeGrant'>;
  recordWipe(id: string, body: WipedBody): Answer<'recordWipe'>;
  /** Broker clock minus local clock, from the last response's `now` (0 before any). */
  clockOffsetMs(): number;
}

/** What the client needs: where the broker is, a bearer token source, a clock. */
export interface BrokerClientDeps {
  brokerUrl: string;
  accessToken: () => Promise<Result<string>>;
  clock: Clock;
  onClockOffset?: (offsetMs: number) => void;
  timeoutMs?: number;
}

interface CallParams {
  id?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Creates the broker client. */
export function createBrokerClient(deps: BrokerClientDeps): BrokerClient {
  let offsetMs = 0;
  async function call<M extends BrokerJsonMethod>(
    method: M,
    params: CallParams = {},
  ): Promise<Result<Response<M>>> {
    const spec = brokerContract[method];
    const token = await deps.accessToken();
    if (!token.ok) return token;
    const path = spec.path.replace(':id', encodeURIComponent(params.id ?? ''));
    const sentAt = deps.clock.now();
    let response: globalThis.Response;
    try {
      response = await fetch(`${deps.brokerUrl}${path}`, {
        method: spec.method,
        headers: {
          authorization: `Bearer ${token.value}`,
          ...params.headers,
          ...(params.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: params.body === undefined ? undefined : JSON.stringify(params.body),
        signal: AbortSignal.timeout(deps.timeoutMs ?? 15_000),
      });
    } catch {
      return fail(
        'broker_unreachable',
        `The broker at ${deps.brokerUrl} is unreachable; check your network and retry`,
      );
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) return mapBrokerError(response.status, json);
    const parsed = spec.response.safeParse(json);
    if (!parsed.success) {
      return fail(
        'internal',
        `The broker answered ${method} in an unexpected shape; is it a compatible version?`,
      );
    }
    const value = parsed.data as Response<M>;
    // Midpoint of the round trip: the best local estimate of when the broker read its clock.
    offsetMs = Date.parse(value.now) - (sentAt + deps.clock.now()) / 2;
    deps.onClockOffset?.(offsetMs);
    return ok(value);
  }
  return {
    getMe: () => call('getMe'),
    listRoles: () => call('listRoles'),
    createRequest: (body, idempotencyKey) =>
      call('createRequest', { body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
    listGrants: () => call('listGrants'),
    getGrant: (id) => call('getGrant', { id }),
    issueCredentials: (id, body = {}) => call('issueCredentials', { id, body }),
    listApprovals: () => call('listApprovals'),
    approveGrant: (id, body) => call('approveGrant', { id, body }),
    denyGrant: (id, body) => call('denyGrant', { id, body }),
    cancelGrant: (id) => call('cancelGrant', { id, body: {} }),
    extendGrant: (id, body) => call('extendGrant', { id, body }),
    revokeGrant: (id, body) => call('revokeGrant', { id, body }),
    recordWipe: (id, body) => call('recordWipe', { id, body }),
    clockOffsetMs: () => offsetMs,
  };
}

/** Maps a broker error answer to a Failure; `already_active` keeps the grant to extend. */
export function mapBrokerError<T>(status: number, json: unknown): Result<T> {
  const body = errorBodySchema.safeParse(json);
  if (body.success) {
    const { code, message, grantId } = body.data.error;
    const error: Failure = grantId === undefined ? { code, message } : { code, message, grantId };
    return { ok: false, error };
  }
  if (status === 401)
    return fail('unauthenticated', 'The broker refused the session; run `hourglass login`');
  if (status === 429) return fail('rate_limited', 'The broker asks to slow down; retry shortly');
  if (status >= 500) return fail('unavailable', `The broker failed (HTTP ${status}); retry later`);
  return fail('internal', `The broker answered HTTP ${status} without an error body`);
}
