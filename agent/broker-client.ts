/** The broker HTTP client: every response parsed with `brokerContract`, errors mapped to Failures. */
import type { z } from 'zod';
import type { BrokerMethod, CreateRequestBody, Result } from '../protocol/index.ts';
import {
  brokerContract,
  errorBodySchema,
  fail,
  IDEMPOTENCY_HEADER,
  ok,
} from '../protocol/index.ts';
import type { Clock } from './clock.ts';

type Response<M extends BrokerMethod> = z.infer<(typeof brokerContract)[M]['response']>;

/** Typed calls to the broker; each answers a Result and never throws. */
export interface BrokerClient {
  getMe(): Promise<Result<Response<'getMe'>>>;
  listRoles(): Promise<Result<Response<'listRoles'>>>;
  /** `idempotencyKey`: the same for every retry of one request. */
  createRequest(
    body: CreateRequestBody,
    idempotencyKey: string,
  ): Promise<Result<Response<'createRequest'>>>;
  listGrants(): Promise<Result<Response<'listGrants'>>>;
  getGrant(id: string): Promise<Result<Response<'getGrant'>>>;
  issueCredentials(id: string): Promise<Result<Response<'issueCredentials'>>>;
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

/** Creates the broker client. */
export function createBrokerClient(deps: BrokerClientDeps): BrokerClient {
  let offsetMs = 0;
  async function call<M extends BrokerMethod>(
    method: M,
    params: { id?: string; body?: unknown; headers?: Record<string, string> } = {},
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
    if (!response.ok) return mapError(response.status, json);
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
    issueCredentials: (id) => call('issueCredentials', { id }),
    clockOffsetMs: () => offsetMs,
  };
}

function mapError<T>(status: number, json: unknown): Result<T> {
  const body = errorBodySchema.safeParse(json);
  if (body.success) return fail(body.data.error.code, body.data.error.message);
  if (status === 401)
    return fail('unauthenticated', 'The broker refused the session; run `hourglass login`');
  if (status >= 500) return fail('unavailable', `The broker failed (HTTP ${status}); retry later`);
  return fail('internal', `The broker answered HTTP ${status} without an error body`);
}
