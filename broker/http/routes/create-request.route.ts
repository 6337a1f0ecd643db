/** POST /v1/requests: a new grant, replayed for a retry with the same idempotency key. */
import {
  IDEMPOTENCY_HEADER,
  idempotencyKeySchema,
  type CreateRequestBody,
} from '../../../protocol/broker-api.ts';
import type { GrantRecord } from '../../lifecycle/grant-record.ts';
import type { UserActor } from '../../lifecycle/transition-types.ts';
import type { BrokerDeps } from '../broker-deps.ts';
import { failureToHttp, type RouteHandler } from '../contract-route.ts';
import { BrokerHttpError, parseOrThrow } from '../http-error.ts';

/** Handler of `createRequest`. */
export function createRequestRoute(deps: BrokerDeps): RouteHandler<'createRequest'> {
  /** The grant an earlier request with `key` created; a different request under it is refused. */
  async function replay(actor: UserActor, key: string, body: CreateRequestBody) {
    const prior = await deps.repo.findByIdempotencyKey(actor, key);
    if (!prior) return undefined;
    if (!sameRequest(prior, body)) {
      throw new BrokerHttpError(
        'conflict',
        `${IDEMPOTENCY_HEADER} was already used for a different request; send a new key`,
      );
    }
    await deps.expireDue();
    return (await deps.repo.findGrant(prior.id)) ?? prior;
  }

  return async ({ actor, body, request, reply }) => {
    const rawKey = request.headers[IDEMPOTENCY_HEADER];
    const key =
      rawKey === undefined
        ? null
        : parseOrThrow(idempotencyKeySchema, rawKey, `${IDEMPOTENCY_HEADER} header`);
    const replayed = key ? await replay(actor, key, body) : undefined;
    if (replayed)
      return { now: deps.clock.now().toISOString(), grant: deps.service.view(replayed) };
    // A grant past its deadline must not count as "already active".
    await deps.expireDue();
    const result = await deps.service.create(
      (live) => ({
        kind: 'request',
        id: deps.ids.grantId(),
        tenant: deps.policy.tenant,
        body,
        idempotencyKey: key,
        live,
      }),
      actor,
    );
    if (result.ok === 'duplicate_key') {
      // Two retries with one key raced past the lookup: the loser answers the winner's grant.
      const raced = key ? await replay(actor, key, body) : undefined;
      if (!raced)
        throw new BrokerHttpError('conflict', 'a concurrent request interfered; try again');
      return { now: deps.clock.now().toISOString(), grant: deps.service.view(raced) };
    }
    if (!result.ok) {
      // A retry with the same key can lose the race after its lookup: the winner's grant is then
      // "already active" (or pending) for this caller. Answer the winner's grant, as a replay does.
      const raced = key ? await replay(actor, key, body) : undefined;
      if (raced) return { now: deps.clock.now().toISOString(), grant: deps.service.view(raced) };
      throw failureToHttp(result.error);
    }
    void reply.status(201);
    // `now` is the instant of the decision, so `expiresAt - now` is exactly the granted time.
    return { now: result.at.toISOString(), grant: deps.service.view(result.grant, result.at) };
  };
}

function sameRequest(prior: GrantRecord, body: CreateRequestBody): boolean {
  return (
    prior.role === body.role &&
    prior.requestedSeconds === body.durationSeconds &&
    prior.reason === (body.reason ?? '') &&
    prior.ticket === (body.ticket ?? null)
  );
}
