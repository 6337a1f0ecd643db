/**
 * `hourglass://request?role=…&for=…&reason=…&ticket=…` links from runbooks and chat. Pure: parses
 * to a prefill for the request window; a link never submits anything by itself.
 */
import { roleNameSchema } from '../protocol/broker-api.ts';
import { parseDuration } from '../protocol/duration.ts';

/** The scheme registered with the OS (packaging config, `setAsDefaultProtocolClient`). */
export const deepLinkScheme = 'hourglass';

/** What a link pre-fills in the request window; the user still reviews it and clicks Request. */
export interface RequestPrefill {
  role: string;
  durationSeconds?: number;
  reason?: string;
  ticket?: string;
}

/** Outcome of parsing a link. */
export type DeepLinkParse =
  { status: 'success'; prefill: RequestPrefill } | { status: 'error'; message: string };

/** Longest link accepted at all: anything longer is not from a runbook. */
export const MAX_LINK_LENGTH = 2048;
const MAX_REASON = 500;
const MAX_TICKET = 100;
// Control characters (incl. newlines, bidi overrides) would let a link fake a second line of text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const error = (message: string): DeepLinkParse => ({ status: 'error', message });

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function textParam(url: URL, name: string, max: number): string | undefined | Error {
  const value = url.searchParams.get(name);
  if (value === null || value.trim() === '') return undefined;
  if (value.length > max) return new Error(`the ${name} is longer than ${max} characters`);
  if (CONTROL.test(value)) return new Error(`the ${name} contains control characters`);
  return value.trim();
}

/** Parses one link. Only `hourglass://request` with a valid role is accepted. */
export function parseDeepLink(text: string): DeepLinkParse {
  if (text.length > MAX_LINK_LENGTH) return error('The link is too long to be an Hourglass link.');
  const url = parseUrl(text);
  if (!url || url.protocol !== `${deepLinkScheme}:`)
    return error('Not an hourglass:// link; nothing was opened.');
  // `hourglass://request?…` puts "request" in the host; `hourglass:request?…` in the path.
  const action = url.host !== '' ? url.host : url.pathname.replace(/^\/+/, '');
  if (action.toLowerCase() !== 'request' || (url.host !== '' && url.pathname.replace(/\/+$/, '')))
    return error('Unknown Hourglass link; only hourglass://request?role=… is supported.');
  const role = roleNameSchema.safeParse(url.searchParams.get('role') ?? '');
  if (!role.success) return error('The link names no valid role (role=lowercase-name).');
  const prefill: RequestPrefill = { role: role.data };
  const duration = url.searchParams.get('for');
  if (duration !== null && duration !== '') {
    const parsed = parseDuration(duration);
    if (parsed.status === 'error') return error(`The link's duration: ${parsed.message}.`);
    prefill.durationSeconds = parsed.seconds;
  }
  const reason = textParam(url, 'reason', MAX_REASON);
  if (reason instanceof Error) return error(`The link's ${reason.message}.`);
  if (reason !== undefined) prefill.reason = reason;
  const ticket = textParam(url, 'ticket', MAX_TICKET);
  if (ticket instanceof Error) return error(`The link's ${ticket.message}.`);
  if (ticket !== undefined) prefill.ticket = ticket;
  return { status: 'success', prefill };
}

/** The first `hourglass:` argument on a command line (Windows/Linux pass links as argv). */
export function deepLinkInArgv(argv: readonly string[]): string | null {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${deepLinkScheme}:`)) ?? null;
}

/** The renderer URL of the request window pre-filled with `prefill` (`#request=…`). */
export function requestWindowUrl(appOrigin: string, prefill: RequestPrefill): string {
  const params = new URLSearchParams({ request: prefill.role });
  if (prefill.durationSeconds !== undefined) params.set('for', `${prefill.durationSeconds}s`);
  if (prefill.reason !== undefined) params.set('reason', prefill.reason);
  if (prefill.ticket !== undefined) params.set('ticket', prefill.ticket);
  return `${appOrigin}/index.html#${params.toString()}`;
}
