/**
 * `#request=<role>&for=<duration>&reason=…&ticket=…`: the request window opened pre-filled by a
 * tray preset or an `hourglass://` link. Pure; every field re-checked, nothing trusted as HTML.
 */
import { roleNameSchema } from '../protocol/broker-api.ts';
import { parseDuration } from '../protocol/duration.ts';
import { durationText } from './request-presets.logic.ts';
import type { RequestDraft } from './request-form.logic.ts';

/** The form values a fragment pre-fills; the user still reviews them and clicks Request. */
export interface RequestPrefill {
  role: string;
  duration?: string;
  reason?: string;
  ticket?: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function text(params: URLSearchParams, name: string, max: number): string | undefined {
  const value = params.get(name);
  return value && value.length <= max && !CONTROL.test(value) ? value : undefined;
}

/** The pre-fill named in a URL fragment, or null when there is none or its role is invalid. */
export function requestPrefillFromFragment(hash: string): RequestPrefill | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const role = roleNameSchema.safeParse(params.get('request') ?? '');
  if (!role.success) return null;
  const prefill: RequestPrefill = { role: role.data };
  const duration = parseDuration(params.get('for') ?? '');
  if (duration.status === 'success') prefill.duration = durationText(duration.seconds);
  const reason = text(params, 'reason', 500);
  if (reason !== undefined) prefill.reason = reason;
  const ticket = text(params, 'ticket', 100);
  if (ticket !== undefined) prefill.ticket = ticket;
  return prefill;
}

/** The draft after applying a pre-fill: fields it names replace, the others stay. */
export function draftPrefilled(draft: RequestDraft, prefill: RequestPrefill): RequestDraft {
  return {
    role: prefill.role,
    duration: prefill.duration ?? draft.duration,
    reason: prefill.reason ?? draft.reason,
    ticket: prefill.ticket ?? draft.ticket,
  };
}
