/** The broker HTTP API contract: zod schemas keyed by method name. */
import { z } from 'zod';

/** A role name: lowercase slug, as in the policy file. */
export const roleNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'a role name is lowercase letters, digits and dashes');

/** A grant id as issued by the broker. */
export const grantIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a grant id is letters, digits, _ and -');

/** An ISO-8601 UTC instant. */
export const instantSchema = z.iso.datetime();

/** Credential provider kinds. */
export const providerKindSchema = z.enum(['jwt', 'postgres', 'ssh', 'aws']);
export type ProviderKind = z.infer<typeof providerKindSchema>;

/** Grant states of the lifecycle in DESIGN.md. */
export const grantStatusSchema = z.enum(['pending', 'active', 'denied', 'expired', 'revoked']);
export type GrantStatus = z.infer<typeof grantStatusSchema>;

/** Who the broker thinks the caller is. */
export const meSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  groups: z.array(z.string()),
});
export type Me = z.infer<typeof meSchema>;

/** A role the caller may request, with the policy shown before asking. */
export const roleSummarySchema = z.object({
  name: roleNameSchema,
  description: z.string(),
  provider: providerKindSchema,
  maxDurationSeconds: z.number().int().positive(),
  approvalsRequired: z.number().int().min(0),
  approverGroups: z.array(z.string()),
  reasonRequired: z.boolean(),
  ticketPattern: z.string().optional(),
});
export type RoleSummary = z.infer<typeof roleSummarySchema>;

/** Body of `POST /v1/requests`. */
export const createRequestBodySchema = z.strictObject({
  role: roleNameSchema,
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(31 * 86400),
  reason: z.string().max(500),
  ticket: z.string().max(100).optional(),
});
export type CreateRequestBody = z.infer<typeof createRequestBodySchema>;

/** A grant as the broker reports it. Never carries a secret. */
export const grantSchema = z.object({
  id: grantIdSchema,
  role: roleNameSchema,
  subject: z.string(),
  provider: providerKindSchema,
  status: grantStatusSchema,
  reason: z.string(),
  ticket: z.string().nullable(),
  requestedSeconds: z.number().int().positive(),
  grantedSeconds: z.number().int().positive(),
  createdAt: instantSchema,
  activatedAt: instantSchema.nullable(),
  expiresAt: instantSchema.nullable(),
  endedAt: instantSchema.nullable(),
  /** A pending request expires unapproved at this instant (policy `approvals.requestTtl`). */
  requestExpiresAt: instantSchema.nullable(),
});
export type Grant = z.infer<typeof grantSchema>;

/** A JWT credential for HTTP APIs and Kubernetes. */
export const jwtCredentialSchema = z.object({
  kind: z.literal('jwt'),
  token: z.string(),
  tokenType: z.literal('Bearer'),
  audience: z.string(),
});

/** Any issued credential; one member per provider kind as they land. */
export const credentialSchema = z.discriminatedUnion('kind', [jwtCredentialSchema]);
export type Credential = z.infer<typeof credentialSchema>;

const timed = <T extends z.ZodRawShape>(shape: T) => z.object({ now: instantSchema, ...shape });

/** Broker responses. Every one carries the broker's `now`: the broker is the time authority. */
export const meResponseSchema = timed({ me: meSchema });
export const rolesResponseSchema = timed({ roles: z.array(roleSummarySchema) });
export const grantResponseSchema = timed({ grant: grantSchema });
export const grantsResponseSchema = timed({ grants: z.array(grantSchema) });
export const credentialsResponseSchema = timed({
  grantId: grantIdSchema,
  expiresAt: instantSchema,
  credential: credentialSchema,
});
export type MeResponse = z.infer<typeof meResponseSchema>;
export type RolesResponse = z.infer<typeof rolesResponseSchema>;
export type GrantResponse = z.infer<typeof grantResponseSchema>;
export type GrantsResponse = z.infer<typeof grantsResponseSchema>;
export type CredentialsResponse = z.infer<typeof credentialsResponseSchema>;

/**
 * Header carrying the client's idempotency key on `POST /v1/requests`: a retry after a lost
 * answer gets the grant it already created, never a second one.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** An idempotency key: 16 to 100 url-safe characters, fresh per user intent. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,100}$/, 'an idempotency key is 16 to 100 letters, digits, _ or -');

/** Path parameters of grant-scoped routes. */
export const grantParamsSchema = z.strictObject({ id: grantIdSchema });

/** The broker HTTP API, keyed by method name. */
export const brokerContract = {
  getMe: { method: 'GET', path: '/v1/me', body: null, response: meResponseSchema },
  listRoles: { method: 'GET', path: '/v1/roles', body: null, response: rolesResponseSchema },
  createRequest: {
    method: 'POST',
    path: '/v1/requests',
    body: createRequestBodySchema,
    response: grantResponseSchema,
  },
  listGrants: { method: 'GET', path: '/v1/grants', body: null, response: grantsResponseSchema },
  getGrant: { method: 'GET', path: '/v1/grants/:id', body: null, response: grantResponseSchema },
  issueCredentials: {
    method: 'POST',
    path: '/v1/grants/:id/credentials',
    body: null,
    response: credentialsResponseSchema,
  },
} as const;

/** Name of a broker API method. */
export type BrokerMethod = keyof typeof brokerContract;
