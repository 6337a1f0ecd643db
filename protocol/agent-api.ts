/**
 * The agent's local API contract (unix socket, console, Electron IPC): zod schemas keyed by
 * method name. Every call answers with a Result; the transport never throws a secret.
 */
import { z } from 'zod';
import {
  createRequestBodySchema,
  grantSchema,
  instantSchema,
  meSchema,
  roleNameSchema,
  roleSummarySchema,
} from './broker-api.ts';
import type { Result } from './result.ts';

/** Shells that `hourglass env` can write export lines for. */
export const shellSchema = z.enum(['bash', 'zsh', 'fish']);
export type Shell = z.infer<typeof shellSchema>;

/** A grant as the agent holds it: broker metadata plus whether its secret is in the keychain. */
export const localGrantSchema = grantSchema.extend({
  credentialStored: z.boolean(),
});
export type LocalGrant = z.infer<typeof localGrantSchema>;

const empty = z.strictObject({});

/** The agent's status: who is signed in, against which broker and IdP. */
export const agentStatusSchema = z.object({
  now: instantSchema,
  loggedIn: z.boolean(),
  user: meSchema.nullable(),
  brokerUrl: z.string(),
  issuer: z.string(),
  demo: z.boolean(),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

/** The agent local API, keyed by method name. */
export const agentContract = {
  getStatus: { input: empty, output: agentStatusSchema },
  beginLogin: {
    input: z.strictObject({ openBrowser: z.boolean() }),
    output: z.object({ loginId: z.string(), authorizationUrl: z.string() }),
  },
  awaitLogin: {
    input: z.strictObject({ loginId: z.string().max(100) }),
    output: z.object({ user: meSchema }),
  },
  logout: { input: empty, output: z.object({ wiped: z.number().int().min(0) }) },
  listRoles: {
    input: empty,
    output: z.object({ now: instantSchema, roles: z.array(roleSummarySchema) }),
  },
  requestGrant: { input: createRequestBodySchema, output: z.object({ grant: localGrantSchema }) },
  listGrants: {
    input: empty,
    output: z.object({ now: instantSchema, grants: z.array(localGrantSchema) }),
  },
  /** Secret-bearing: answers export lines with the credential. Never exposed to the renderer. */
  exportGrant: {
    input: z.strictObject({ role: roleNameSchema, shell: shellSchema }),
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
