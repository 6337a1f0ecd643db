/**
 * The agent's local API contract (unix socket, console, Electron IPC): zod schemas keyed by
 * method name. Every call answers with a Result; the transport never throws a secret.
 */
import { z } from 'zod';
import {
  commentSchema,
  createRequestBodySchema,
  extendBodySchema,
  grantIdSchema,
  grantSchema,
  instantSchema,
  meSchema,
  pendingApprovalSchema,
  roleNameSchema,
  roleSummarySchema,
} from './broker-api.ts';
import type { Result } from './result.ts';

/**
 * Formats `hourglass env` writes: shells, a dotenv file (quoted; dotenv libraries, compose), an env
 * file (`KEY=value` unquoted; `docker --env-file`), or JSON (for exec and credential helpers).
 */
export const shellSchema = z.enum([
  'bash',
  'zsh',
  'fish',
  'pwsh',
  'nu',
  'cmd',
  'dotenv',
  'env-file',
  'json',
]);
export type Shell = z.infer<typeof shellSchema>;

/** A grant as the agent holds it: broker metadata plus whether its secret is in the keychain. */
export const localGrantSchema = grantSchema.extend({
  credentialStored: z.boolean(),
  /** When this device deleted the grant's secret, if it did. */
  wipedLocallyAt: instantSchema.nullable(),
});
export type LocalGrant = z.infer<typeof localGrantSchema>;

/** A profile name (`--profile`, `HOURGLASS_PROFILE`): its own data dir, agent, session and items. */
export const profileNameSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a profile name is lowercase letters, digits, _ and -');

/** How a sign-out went at the IdP: revoked, not offered by it, failed (unreachable), no session. */
export const idpRevocationSchema = z.enum(['revoked', 'not_offered', 'failed', 'no_session']);
export type IdpRevocation = z.infer<typeof idpRevocationSchema>;

const empty = z.strictObject({});

/** What runs an agent: the desktop app, a headless `hourglass agent`, or the demo (`npm start`). */
export const agentHostSchema = z.enum(['app', 'headless', 'demo']);
export type AgentHost = z.infer<typeof agentHostSchema>;

/** The keychain as the agent that holds it finds it (a probe item written, read back, deleted). */
export const keychainCheckSchema = z.object({
  status: z.enum(['ok', 'fail']),
  detail: z.string().max(1000),
  fix: z.string().max(1000).optional(),
});
export type KeychainCheck = z.infer<typeof keychainCheckSchema>;

/** The agent's status: who is signed in, against which broker and IdP. */
export const agentStatusSchema = z.object({
  now: instantSchema,
  loggedIn: z.boolean(),
  user: meSchema.nullable(),
  brokerUrl: z.string(),
  issuer: z.string(),
  demo: z.boolean(),
  profile: profileNameSchema,
  /** What runs this agent, as it says itself: the desktop app, `hourglass agent`, or the demo. */
  host: agentHostSchema.optional(),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

/**
 * Whether the agent's view is live: `online` (event stream connected), `offline` (broker or IdP
 * unreachable; grants shown are what this device holds, still counting down), `signed_out`.
 */
export const connectionStateSchema = z.object({
  state: z.enum(['online', 'connecting', 'offline', 'signed_out']),
  /** Why it is not online, in words that say what to do. */
  message: z.string().nullable(),
  since: instantSchema,
});
export type ConnectionState = z.infer<typeof connectionStateSchema>;

/** Everything a client shows, pushed by the agent whenever it changes. Never carries a secret. */
export const agentSnapshotSchema = z.object({
  /** Increases with every snapshot the agent publishes. */
  version: z.number().int().min(0),
  /** The broker's time as the agent estimates it (local clock + measured offset). */
  now: instantSchema,
  status: agentStatusSchema,
  connection: connectionStateSchema,
  /** Own grants, newest first, including ones only this device still knows (offline). */
  grants: z.array(localGrantSchema),
  /** Requests and extensions waiting for this user's decision. */
  approvals: z.array(pendingApprovalSchema),
});
export type AgentSnapshot = z.infer<typeof agentSnapshotSchema>;

/** Kinds of notification the planner produces. */
export const noticeKindSchema = z.enum([
  'expiring',
  'expired',
  'wiped',
  'approval_needed',
  'approved',
  'denied',
  'revoked',
  'extended',
]);
export type NoticeKind = z.infer<typeof noticeKindSchema>;

/** A notification to show (console: browser Notification API; Electron: `Notification`). */
export const agentNoticeSchema = z.object({
  /** Stable per occasion, so a client never shows the same notice twice. */
  id: z.string().max(200),
  kind: noticeKindSchema,
  grantId: grantIdSchema,
  role: roleNameSchema,
  title: z.string().max(200),
  body: z.string().max(500),
  /** Actions offered with it; a click on the notice itself opens the grant. */
  actions: z.array(z.enum(['extend', 'approve', 'deny'])),
  at: instantSchema,
});
export type AgentNotice = z.infer<typeof agentNoticeSchema>;

/** One message the agent pushes to a subscribed client (local API stream, console SSE, IPC). */
export const agentPushSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), snapshot: agentSnapshotSchema }),
  z.object({ type: z.literal('notice'), notice: agentNoticeSchema }),
]);
export type AgentPush = z.infer<typeof agentPushSchema>;

const grantRef = z.strictObject({ grantId: grantIdSchema });
const grantOutput = z.object({ grant: localGrantSchema });

/** The agent local API, keyed by method name. */
export const agentContract = {
  getStatus: { input: empty, output: agentStatusSchema },
  beginLogin: {
    /** `device`: the device authorization grant (RFC 8628), for a box without a browser. */
    input: z.strictObject({ openBrowser: z.boolean(), device: z.boolean().optional() }),
    output: z.object({
      loginId: z.string(),
      /** Where to sign in; for a device sign-in, the verification URL (with the code where offered). */
      authorizationUrl: z.string(),
      /** Device sign-in: the code to confirm (or type) on that page. */
      userCode: z.string().optional(),
    }),
  },
  awaitLogin: {
    input: z.strictObject({ loginId: z.string().max(100) }),
    output: z.object({ user: meSchema }),
  },
  /**
   * Signs out: revokes the IdP session where offered, wipes every keychain item of the profile;
   * `endGrants` also revokes the user's active grants at the broker first ("I'm done" for all).
   */
  logout: {
    input: z.strictObject({
      endGrants: z.boolean().optional(),
      /** The agent opens the IdP's logout page (with `id_token_hint`) in the system browser. */
      openBrowser: z.boolean().optional(),
    }),
    output: z.object({
      wiped: z.number().int().min(0),
      grantsEnded: z.number().int().min(0),
      /**
       * RP-initiated logout URL so the IdP forgets the user too, safe to show or print: `client_id`,
       * never the ID token (issue 18, finding 11).
       */
      endSessionUrl: z.string().nullable(),
      /** Whether the IdP revoked the refresh token (RFC 7009); `failed`: it could not be reached. */
      idpRevocation: idpRevocationSchema.optional(),
    }),
  },
  listRoles: {
    input: empty,
    output: z.object({ now: instantSchema, roles: z.array(roleSummarySchema) }),
  },
  requestGrant: { input: createRequestBodySchema, output: z.object({ grant: localGrantSchema }) },
  listGrants: {
    input: empty,
    output: z.object({ now: instantSchema, grants: z.array(localGrantSchema) }),
  },
  getSnapshot: { input: empty, output: agentSnapshotSchema },
  extendGrant: { input: grantRef.extend(extendBodySchema.shape), output: grantOutput },
  revokeGrant: {
    input: grantRef.extend({ reason: commentSchema.optional() }),
    output: grantOutput,
  },
  cancelGrant: { input: grantRef, output: grantOutput },
  listApprovals: {
    input: empty,
    output: z.object({ now: instantSchema, approvals: z.array(pendingApprovalSchema) }),
  },
  approveGrant: {
    input: grantRef.extend({ comment: commentSchema.optional() }),
    output: grantOutput,
  },
  denyGrant: { input: grantRef.extend({ comment: commentSchema.optional() }), output: grantOutput },
  /** `hourglass doctor`: probes the keychain this agent uses (its session bus, its scope). */
  checkKeychain: { input: empty, output: keychainCheckSchema },
  /** Re-arms deadlines and reconnects now (resume, unlock, a user's "retry"). */
  recheck: { input: empty, output: z.object({ wiped: z.number().int().min(0) }) },
  /**
   * Secret-bearing: a fresh console URL with a new single-use bootstrap token in its fragment
   * (`hourglass console`). Only on the owner's 0600 socket; never exposed to the renderer.
   */
  newConsoleUrl: { input: empty, output: z.object({ url: z.string().url() }) },
  /** Secret-bearing: answers export lines with the credential. Never exposed to the renderer. */
  exportGrant: {
    input: z.strictObject({
      role: roleNameSchema,
      shell: shellSchema,
      /** `hourglass ssh` only: include the device's SSH private key (never for `env`). */
      sshKey: z.boolean().optional(),
      /**
       * Only a credential this device already holds: `not_found` instead of fetching one (the
       * CLI's fast path, which leaves a first fetch to the full CLI so it can say so).
       */
      heldOnly: z.boolean().optional(),
    }),
    output: z.object({ script: z.string(), expiresAt: instantSchema }),
  },
} as const;

/** Name of an agent API method. */
export type AgentMethod = keyof typeof agentContract;

/** Input type of an agent method. */
export type AgentInput<M extends AgentMethod> = z.infer<(typeof agentContract)[M]['input']>;

/** Output type of an agent method. */
export type AgentOutput<M extends AgentMethod> = z.infer<(typeof agentContract)[M]['output']>;

/** Methods the renderer (Electron preload or console) may call: none of them returns a secret. */
export const rendererMethods = [
  'getStatus',
  'beginLogin',
  'awaitLogin',
  'logout',
  'listRoles',
  'requestGrant',
  'listGrants',
  'getSnapshot',
  'extendGrant',
  'revokeGrant',
  'cancelGrant',
  'listApprovals',
  'approveGrant',
  'denyGrant',
  'recheck',
] as const satisfies readonly AgentMethod[];

/** A renderer-visible method name. */
export type RendererMethod = (typeof rendererMethods)[number];

/** Type guard: is `name` a renderer-visible method? */
export function isRendererMethod(name: string): name is RendererMethod {
  return (rendererMethods as readonly string[]).includes(name);
}

/** Type guard: is `name` an agent method? */
export function isAgentMethod(name: string): name is AgentMethod {
  return Object.hasOwn(agentContract, name);
}

/** One function per agent method; the local API server, the console and Electron IPC all serve this. */
export type AgentHandlers = {
  [M in AgentMethod]: (input: AgentInput<M>) => Promise<Result<AgentOutput<M>>>;
};

/** The renderer-visible subset: what `window.hourglass` exposes. */
export type RendererApi = Pick<AgentHandlers, RendererMethod>;
