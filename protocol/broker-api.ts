/** The broker HTTP API contract: zod schemas keyed by method name. */
import { z } from 'zod';
import { auditQuerySchema, auditResponseSchema } from './audit-api.ts';
import { credentialSchema, issueCredentialsBodySchema, memberKinds } from './credentials/index.ts';
import { unsafeCharacter } from './plain-text.ts';

export * from './credentials/index.ts';
export * from './audit-api.ts';

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

/**
 * Credential provider kinds: the registered ones (protocol/credentials/index.ts, the one list), and
 * `bundle`, a role with several entitlements issued together.
 */
export const providerKindSchema = z.enum([...memberKinds, 'bundle'] as const);
export type ProviderKind = z.infer<typeof providerKindSchema>;

/**
 * Grant states of the lifecycle in DESIGN.md, plus `cancelled` for a request its requester
 * withdrew. A closed union: every switch over it ends in `assertNever`.
 */
export const grantStatusSchema = z.enum([
  'pending',
  'active',
  'denied',
  'expired',
  'revoked',
  'cancelled',
]);
export type GrantStatus = z.infer<typeof grantStatusSchema>;

/** States a grant never leaves. */
export const endedStatuses = ['denied', 'expired', 'revoked', 'cancelled'] as const;

/**
 * Free text a person writes for another person to read: no control or text-direction characters
 * (protocol/plain-text.ts; issue 18, finding 4), named by code point in the error. `lines`: a
 * multi-line field (a reason, a comment) may hold tabs and line feeds; a one-line field none.
 */
export function plainTextSchema(max: number, lines: 'one' | 'multi') {
  return z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const found = unsafeCharacter(value, lines === 'multi');
      if (found === null) return;
      const allowed = lines === 'multi' ? ' (tabs and line breaks are fine)' : '';
      ctx.addIssue({
        code: 'custom',
        message: `contains ${found}, a control or text-direction character; write plain text${allowed}`,
      });
    });
}

/** A free-text comment or reason on a decision (approve, deny, revoke). */
export const commentSchema = plainTextSchema(500, 'multi');

/** One approver's decision on a request or an extension. */
export const approvalSchema = z.object({
  /** `issuer#subject` of the approver. */
  by: z.string(),
  /** Display name of the approver, when the IdP gave one. */
  byName: z.string().nullable(),
  at: instantSchema,
  comment: z.string().nullable(),
});
export type Approval = z.infer<typeof approvalSchema>;

/** An extension waiting for approvals; the grant keeps running meanwhile. */
export const pendingExtensionSchema = z.object({
  durationSeconds: z.number().int().positive(),
  requestedAt: instantSchema,
  /** Unapproved at this instant, the extension request lapses (the grant is unchanged). */
  expiresAt: instantSchema,
  approvals: z.array(approvalSchema),
});
export type PendingExtension = z.infer<typeof pendingExtensionSchema>;

/** What remains of a grant's extension budget (policy `extension`). */
export const extensionBudgetSchema = z.object({
  usedCount: z.number().int().min(0),
  usedSeconds: z.number().int().min(0),
  remainingCount: z.number().int().min(0),
  remainingSeconds: z.number().int().min(0),
  /** Longest single extension: the role's max duration, within what remains. */
  maxEachSeconds: z.number().int().min(0),
  requiresApproval: z.boolean(),
});
export type ExtensionBudget = z.infer<typeof extensionBudgetSchema>;

/** Where the agent reports it deleted a grant's secret. */
export const wipeTriggerSchema = z.enum([
  'deadline',
  'revoked',
  'done',
  'logout',
  'subject_changed',
  'ended',
]);
export type WipeTrigger = z.infer<typeof wipeTriggerSchema>;

/** A wipe receipt as the broker recorded it. */
export const wipeReceiptSchema = z.object({
  wipedAt: instantSchema,
  receivedAt: instantSchema,
  trigger: wipeTriggerSchema,
  /** What the agent removed, e.g. `keychain`, `ssh-agent`, `file`, `clipboard`. */
  items: z.array(z.string().max(64)).max(16),
});
export type WipeReceipt = z.infer<typeof wipeReceiptSchema>;

/**
 * Whether the device confirmed the secret is gone: `none` while a credential may be held,
 * `wiped` with a receipt, `not_confirmed` when an ended grant has no receipt after the grace period.
 */
export const wipeStateSchema = z.enum(['none', 'awaiting', 'wiped', 'not_confirmed']);
export type WipeState = z.infer<typeof wipeStateSchema>;

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
  /** The tenant/environment the role grants access in (e.g. `prod-eu`). */
  tenant: z.string(),
  /** The extension budget of one grant of this role. */
  extension: z.object({
    maxCount: z.number().int().min(0),
    maxTotalSeconds: z.number().int().min(0),
    requiresApproval: z.boolean(),
  }),
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
  /** Absent when the caller gives none; the role's policy decides whether one is required. */
  reason: plainTextSchema(500, 'multi').optional(),
  ticket: plainTextSchema(100, 'one').optional(),
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
  /** A pending request expires unapproved at this instant (policy `approval.requestTtl`). */
  requestExpiresAt: instantSchema.nullable(),
  /** Display name of the requester, when the IdP gave one. */
  requesterName: z.string().nullable(),
  approvalsRequired: z.number().int().min(0),
  /** Groups whose members may approve (and revoke) this grant. */
  approverGroups: z.array(z.string()),
  approvals: z.array(approvalSchema),
  /** Who denied the request, revoked or cancelled the grant, and why (shown to the requester). */
  endedBy: z.string().nullable(),
  endReason: z.string().nullable(),
  /** For a grant ended early: seconds it still had left ("I'm done" records unused time). */
  unusedSeconds: z.number().int().min(0).nullable(),
  extension: extensionBudgetSchema,
  pendingExtension: pendingExtensionSchema.nullable(),
  wipe: wipeReceiptSchema.nullable(),
  wipeState: wipeStateSchema,
  /**
   * Set when the broker gave up taking access away at the target: the revocation (or expiry)
   * kept failing past the bound, so access may remain there (the alarm; retries go on). Null
   * again once a retry removed it. Shown loudly wherever the grant is shown.
   */
  irrevocableAt: instantSchema.nullable().default(null),
});
export type Grant = z.infer<typeof grantSchema>;

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

/** A request (or an extension) waiting for the caller's decision. */
export const pendingApprovalSchema = z.object({
  kind: z.enum(['request', 'extension']),
  grant: grantSchema,
  /** The duration asked for: the request's, or the extension's. */
  durationSeconds: z.number().int().positive(),
  /** Unapproved at this instant, the request (or extension) lapses. */
  waitsUntil: instantSchema,
});
export type PendingApproval = z.infer<typeof pendingApprovalSchema>;
export const approvalsResponseSchema = timed({ approvals: z.array(pendingApprovalSchema) });
export type ApprovalsResponse = z.infer<typeof approvalsResponseSchema>;

/** Body of approve and deny: an optional comment (a deny reason is shown to the requester). */
export const decisionBodySchema = z.strictObject({ comment: commentSchema.optional() });
export type DecisionBody = z.infer<typeof decisionBodySchema>;

/** Body of `POST /v1/grants/{id}/extend`: seconds from now. */
export const extendBodySchema = z.strictObject({
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(31 * 86400),
  /** Why (recorded in the audit log, shown to approvers of a gated extension). */
  reason: commentSchema.optional(),
});
export type ExtendBody = z.infer<typeof extendBodySchema>;

/** Body of `POST /v1/grants/{id}/revoke`. */
export const revokeBodySchema = z.strictObject({ reason: commentSchema.optional() });
export type RevokeBody = z.infer<typeof revokeBodySchema>;

/** Body of `POST /v1/grants/{id}/cancel`. */
export const cancelBodySchema = z.strictObject({});

/** Body of `POST /v1/grants/{id}/wiped`: the agent's receipt for a deleted secret. */
export const wipedBodySchema = z.strictObject({
  wipedAt: instantSchema,
  trigger: wipeTriggerSchema,
  items: z.array(plainTextSchema(64, 'one').min(1)).max(16),
});
export type WipedBody = z.infer<typeof wipedBodySchema>;

/** What changed in a grant event. */
export const grantChangeSchema = z.enum([
  'requested',
  'approval_needed',
  'approved',
  'activated',
  'denied',
  'cancelled',
  'extension_requested',
  'extended',
  'extension_denied',
  'revoked',
  'expired',
  'wiped',
  /** Revocation kept failing at the target: access may remain there (an alarm; retries go on). */
  'irrevocable',
  /** A revocation given up as irrevocable finally succeeded at the target: the alarm is over. */
  'target_revoked',
]);
export type GrantChange = z.infer<typeof grantChangeSchema>;

/**
 * One event on `GET /v1/events` (Server-Sent Events, `event: grant`). `id` is the outbox
 * sequence number: a client resumes with `Last-Event-ID` and loses nothing.
 */
export const brokerEventSchema = z.object({
  id: z.string().regex(/^[0-9]+$/),
  at: instantSchema,
  change: grantChangeSchema,
  /** Why the caller receives it: their own grant, or one they may approve or revoke. */
  audience: z.enum(['owner', 'approver']),
  grant: grantSchema,
});
export type BrokerEvent = z.infer<typeof brokerEventSchema>;

/** Whether one credential provider's targets answer (`GET /readyz?verbose`). Never a secret. */
export const providerHealthSchema = z.object({
  kind: providerKindSchema,
  status: z.enum(['ok', 'down']),
  /** What is wrong, naming the target. */
  detail: z.string().nullable(),
  /** The tenant whose provider this is, on a broker serving several (`/tenants/<name>`). */
  tenant: z.string().optional(),
});
export type ProviderHealthView = z.infer<typeof providerHealthSchema>;

/** `GET /readyz`; with `?verbose`, each configured provider's health too (readiness stays 200). */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  providers: z.array(providerHealthSchema).optional(),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** SSE event names on `GET /v1/events`; `ready` carries the broker's `now` once per connection. */
export const brokerSseEvents = { grant: 'grant', ready: 'ready' } as const;

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

/** Where a broker publishes what it trusts, for `hourglass setup <broker-url>` (no sign-in needed). */
export const BROKER_DISCOVERY_PATH = '/.well-known/hourglass';

/**
 * How a client asks an issuer for an access token whose `aud` is the broker: `resource` (RFC 8707
 * resource indicator: oidc-provider, Keycloak), `audience` (Auth0's parameter), `scope` (the
 * audience's `/.default` scope: Entra ID v2, which refuses `resource`), or `none` (the issuer sets
 * the audience itself: an Okta custom authorization server, Google's ID-token audience).
 */
export const audienceParameterSchema = z.enum(['resource', 'audience', 'scope', 'none']);
export type AudienceParameter = z.infer<typeof audienceParameterSchema>;

/** What `GET /.well-known/hourglass` answers: the issuers a client may sign in with. */
export const brokerDiscoverySchema = z.object({
  brokerUrl: z.string(),
  issuers: z
    .array(
      z.object({
        issuer: z.string(),
        /** The `aud` (resource indicator) of access tokens for this broker. */
        audience: z.string(),
        /** The public client id of the Hourglass desktop/CLI app at this IdP, where configured. */
        clientId: z.string().nullable(),
        /** The issuer's name in policy, when the broker trusts several. */
        name: z.string().nullable(),
        /** How to ask this issuer for that audience (brokers from before it: `resource`). */
        audienceParameter: audienceParameterSchema.default('resource'),
      }),
    )
    .min(1),
});
export type BrokerDiscovery = z.infer<typeof brokerDiscoverySchema>;

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
    body: issueCredentialsBodySchema,
    response: credentialsResponseSchema,
  },
  listApprovals: {
    method: 'GET',
    path: '/v1/approvals',
    body: null,
    response: approvalsResponseSchema,
  },
  approveGrant: {
    method: 'POST',
    path: '/v1/grants/:id/approve',
    body: decisionBodySchema,
    response: grantResponseSchema,
  },
  denyGrant: {
    method: 'POST',
    path: '/v1/grants/:id/deny',
    body: decisionBodySchema,
    response: grantResponseSchema,
  },
  cancelGrant: {
    method: 'POST',
    path: '/v1/grants/:id/cancel',
    body: cancelBodySchema,
    response: grantResponseSchema,
  },
  extendGrant: {
    method: 'POST',
    path: '/v1/grants/:id/extend',
    body: extendBodySchema,
    response: grantResponseSchema,
  },
  revokeGrant: {
    method: 'POST',
    path: '/v1/grants/:id/revoke',
    body: revokeBodySchema,
    response: grantResponseSchema,
  },
  recordWipe: {
    method: 'POST',
    path: '/v1/grants/:id/wiped',
    body: wipedBodySchema,
    response: grantResponseSchema,
  },
  /** The audit log, for members of the policy's `auditors.groups`; filters in the query string. */
  listAudit: {
    method: 'GET',
    path: '/v1/audit',
    body: null,
    query: auditQuerySchema,
    response: auditResponseSchema,
  },
  /** Server-Sent Events: `response` is the schema of each `grant` event's data. */
  streamEvents: {
    method: 'GET',
    path: '/v1/events',
    body: null,
    response: brokerEventSchema,
    stream: true,
  },
} as const;

/** Name of a broker API method. */
export type BrokerMethod = keyof typeof brokerContract;
