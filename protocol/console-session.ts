/**
 * The local console's session handshake, shared by the console server (agent/console) and the
 * page's bridge (renderer/console-bridge.ts). No secret ever travels in a cookie: the printed URL
 * carries a single-use bootstrap token in its fragment, the bridge trades it once for a session
 * token with an expiry, and sends that token in a header on every call.
 */
import { z } from 'zod';
import { instantSchema } from './broker-api.ts';

/** Header carrying the console session token on every API call and the event stream. */
export const CONSOLE_SESSION_HEADER = 'x-hourglass-session';

/** Fragment parameter of the printed console URL that holds the bootstrap token. */
export const CONSOLE_BOOTSTRAP_PARAM = 'token';

/** Path of the one-time bootstrap exchange (POST). */
export const CONSOLE_SESSION_PATH = '/api/session';

/** Path of the console's pushed event stream (GET, Server-Sent Events, `event: push`). */
export const CONSOLE_EVENTS_PATH = '/api/events';

/** SSE event name of each pushed AgentPush message on the console stream. */
export const CONSOLE_PUSH_EVENT = 'push';

/** A 32-byte random token, base64url. */
export const consoleTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/** Body of the bootstrap exchange. */
export const consoleSessionRequestSchema = z.strictObject({ bootstrap: consoleTokenSchema });

/** Answer of the bootstrap exchange: this client's own session, valid until `expiresAt`. */
export const consoleSessionSchema = z.object({
  session: consoleTokenSchema,
  expiresAt: instantSchema,
});
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;
