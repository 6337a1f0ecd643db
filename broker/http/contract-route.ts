/**
 * The one adapter between `brokerContract` and Fastify: each contract method is served at its
 * method and path, its params and body parsed with the contract's schemas, its answer re-parsed
 * with the response schema (a field the contract does not name never leaves). A handler map that
 * misses a method does not compile; a test checks every served /v1 route is in the contract.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { authenticatedRoute } from '../../http-gate/route-access.ts';
import { brokerContract, grantParamsSchema, type BrokerMethod } from '../../protocol/broker-api.ts';
import type { Caller } from '../auth/token-verifier.ts';
import type { UserActor } from '../lifecycle/transition-types.ts';
import type { TransitionFailure } from '../lifecycle/transition-support.ts';
import { callerOf } from './authenticate.ts';
import { BrokerHttpError, parseOrThrow } from './http-error.ts';

type Contract = typeof brokerContract;
/** Methods answered with one JSON body (all but the event stream). */
export type JsonMethod = Exclude<BrokerMethod, 'streamEvents'>;
type BodyOf<M extends JsonMethod> = Contract[M]['body'] extends z.ZodType
  ? z.output<Contract[M]['body']>
  : undefined;
type QueryOf<M extends JsonMethod> = Contract[M] extends { query: z.ZodType }
  ? z.output<Contract[M]['query']>
  : undefined;
type ParamsOf<M extends JsonMethod> = Contract[M]['path'] extends `${string}:id${string}`
  ? { id: string }
  : undefined;

/** What a route handler gets: the verified caller and its parsed inputs. */
export interface RouteContext<M extends JsonMethod> {
  caller: Caller;
  actor: UserActor;
  body: BodyOf<M>;
  params: ParamsOf<M>;
  /** The parsed query string, for methods whose contract names a `query` schema. */
  query: QueryOf<M>;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A handler of one contract method. */
export type RouteHandler<M extends JsonMethod> = (
  ctx: RouteContext<M>,
) => Promise<z.input<Contract[M]['response']>>;

/** One handler per JSON method of the contract. */
export type ContractHandlers = { [M in JsonMethod]: RouteHandler<M> };

/** The event-stream handler: it answers on the raw response itself. */
export type StreamHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Caller,
) => Promise<void>;

/** The lifecycle's view of the verified caller. */
export function actorOf(caller: Caller): UserActor {
  return {
    kind: 'user',
    issuer: caller.issuer,
    subject: caller.subject,
    name: caller.name ?? null,
    groups: caller.groups,
    sessionEndsAt: caller.sessionEndsAt ?? null,
  };
}

/** A refused transition as the HTTP error it answers with. */
export function failureToHttp(failure: TransitionFailure): BrokerHttpError {
  return new BrokerHttpError(failure.code, failure.message, {
    ...(failure.grantId !== undefined ? { grantId: failure.grantId } : {}),
    ...(failure.expiresAt !== undefined ? { expiresAt: failure.expiresAt } : {}),
  });
}

function serveJson<M extends JsonMethod>(
  app: FastifyInstance,
  name: M,
  handler: RouteHandler<M>,
): void {
  const route = brokerContract[name];
  const bodySchema = route.body as z.ZodType | null;
  const responseSchema = route.response as z.ZodType;
  const hasId = route.path.includes(':id');
  const querySchema = 'query' in route ? (route.query as z.ZodType) : null;
  app.route({
    method: route.method,
    url: route.path,
    config: authenticatedRoute,
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const params = hasId
        ? parseOrThrow(grantParamsSchema, request.params, 'grant id')
        : undefined;
      // A POST without a body is read as `{}`: the body schema then names what is missing.
      const body = bodySchema
        ? parseOrThrow(bodySchema, request.body ?? {}, 'request body')
        : undefined;
      const query = querySchema
        ? parseOrThrow(querySchema, request.query ?? {}, 'query string')
        : undefined;
      const answer = await handler({
        caller,
        actor: actorOf(caller),
        body: body as BodyOf<M>,
        params: params as ParamsOf<M>,
        query: query as QueryOf<M>,
        request,
        reply,
      });
      return responseSchema.parse(answer);
    },
  });
}

/** Serves every method of `brokerContract`. */
export function serveContract(
  app: FastifyInstance,
  handlers: ContractHandlers,
  stream: StreamHandler,
): void {
  for (const name of Object.keys(brokerContract) as BrokerMethod[]) {
    if (name === 'streamEvents') {
      const route = brokerContract.streamEvents;
      app.route({
        method: route.method,
        url: route.path,
        config: authenticatedRoute,
        handler: (request, reply) => stream(request, reply, callerOf(request)),
      });
      continue;
    }
    serveOne(app, name, handlers);
  }
}

function serveOne<M extends JsonMethod>(
  app: FastifyInstance,
  name: M,
  handlers: ContractHandlers,
): void {
  serveJson(app, name, handlers[name]);
}
