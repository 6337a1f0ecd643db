/** Routes of the grant lifecycle: request, list, read, issue credentials. */
import type { FastifyInstance } from 'fastify';
import {
  createRequestBodySchema,
  grantParamsSchema,
  IDEMPOTENCY_HEADER,
  idempotencyKeySchema,
  type CreateRequestBody,
  type CredentialsResponse,
  type GrantResponse,
  type GrantsResponse,
} from '../../protocol/broker-api.ts';
import { issueJwtCredential } from '../credentials/jwt-credential.ts';
import { decideRequest } from '../policy/decide.ts';
import {
  findByIdempotencyKey,
  findOwnedGrant,
  type GrantOwner,
  insertGrant,
  listOwnedGrants,
  recordCredentialIssued,
} from '../store/grant-store.ts';
import { callerOf } from './authenticate.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { BrokerHttpError, parseOrThrow } from './http-error.ts';

const notFound = () =>
  new BrokerHttpError('not_found', 'no such grant of yours; run `hourglass status` to list them');

/** Registers POST /v1/requests and the /v1/grants routes. */
export function registerGrantRoutes(app: FastifyInstance, deps: BrokerDeps): void {
  const { db, clock } = deps;

  app.post('/v1/requests', async (request, reply): Promise<GrantResponse> => {
    const caller = callerOf(request);
    const body = parseOrThrow(createRequestBodySchema, request.body, 'request body');
    const rawKey = request.headers[IDEMPOTENCY_HEADER];
    const key =
      rawKey === undefined
        ? null
        : parseOrThrow(idempotencyKeySchema, rawKey, `${IDEMPOTENCY_HEADER} header`);
    const replayed = key ? await replay(caller, key, body) : undefined;
    if (replayed) return { now: clock.now().toISOString(), grant: replayed };
    const now = clock.now();
    const decision = decideRequest(deps.policy, caller, body, now);
    if (decision.status === 'error') throw new BrokerHttpError(decision.code, decision.message);
    let grant;
    try {
      grant = await insertGrant(db, {
        id: deps.ids.grantId(),
        tenant: deps.policy.tenant,
        owner: caller,
        plan: decision.plan,
        reason: body.reason,
        ticket: body.ticket ?? null,
        now,
        idempotencyKey: key,
      });
    } catch (error) {
      // Two retries with one key raced past the lookup: the loser answers the winner's grant.
      const raced = key ? await replay(caller, key, body) : undefined;
      if (raced) return { now: clock.now().toISOString(), grant: raced };
      throw error;
    }
    if (grant.expiresAt) await deps.grantAdded();
    void reply.status(201);
    return { now: now.toISOString(), grant };
  });

  /** The grant an earlier request with `key` created; a different request under it is refused. */
  async function replay(caller: GrantOwner, key: string, body: CreateRequestBody) {
    const prior = await findByIdempotencyKey(db, caller, key);
    if (!prior) return undefined;
    const { asked } = prior;
    const same =
      asked.role === body.role &&
      asked.seconds === body.durationSeconds &&
      asked.reason === body.reason &&
      asked.ticket === (body.ticket ?? null);
    if (!same) {
      throw new BrokerHttpError(
        'conflict',
        `${IDEMPOTENCY_HEADER} was already used for a different request; send a new key`,
      );
    }
    await deps.expireDue();
    return (await findOwnedGrant(db, caller, prior.grant.id)) ?? prior.grant;
  }

  app.get('/v1/grants', async (request): Promise<GrantsResponse> => {
    const caller = callerOf(request);
    await deps.expireDue();
    const grants = await listOwnedGrants(db, caller);
    return { now: clock.now().toISOString(), grants };
  });

  app.get('/v1/grants/:id', async (request): Promise<GrantResponse> => {
    const caller = callerOf(request);
    const { id } = parseOrThrow(grantParamsSchema, request.params, 'grant id');
    await deps.expireDue();
    const grant = await findOwnedGrant(db, caller, id);
    if (!grant) throw notFound();
    return { now: clock.now().toISOString(), grant };
  });

  app.post('/v1/grants/:id/credentials', async (request): Promise<CredentialsResponse> => {
    const caller = callerOf(request);
    const { id } = parseOrThrow(grantParamsSchema, request.params, 'grant id');
    await deps.expireDue();
    const grant = await findOwnedGrant(db, caller, id);
    if (!grant) throw notFound();
    const now = clock.now();
    if (
      grant.status !== 'active' ||
      !grant.expiresAt ||
      Date.parse(grant.expiresAt) <= now.getTime()
    ) {
      throw new BrokerHttpError(
        'grant_not_active',
        `grant ${grant.id} is ${grant.status}; request the role again`,
      );
    }
    const role = deps.policy.roles.find((r) => r.name === grant.role);
    if (!role)
      throw new BrokerHttpError('conflict', `role ${grant.role} is no longer in the policy`);
    const tokenId = deps.ids.tokenId();
    const credential = await issueJwtCredential({
      key: deps.signingKey,
      issuer: deps.publicUrl(),
      role,
      grant,
      tokenId,
      now,
    });
    // Fail closed: no audit record, no credential.
    await recordCredentialIssued(db, {
      grant,
      owner: caller,
      tokenId,
      audience: role.provider.audience,
      now,
    });
    return { now: now.toISOString(), grantId: grant.id, expiresAt: grant.expiresAt, credential };
  });
}
