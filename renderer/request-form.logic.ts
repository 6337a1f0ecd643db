/** Validation of the request form against the protocol and the role's policy. Pure. */
import { parseDuration, formatDuration } from '../protocol/duration.ts';
import {
  createRequestBodySchema,
  type CreateRequestBody,
  type RoleSummary,
} from '../protocol/broker-api.ts';

/** What the user typed into the request form. */
export interface RequestDraft {
  role: string;
  duration: string;
  reason: string;
  ticket: string;
}

/** Inline error per form field. */
export type DraftErrors = Partial<Record<keyof RequestDraft, string>>;

/** Outcome of validating a draft: a request body ready to send, or inline errors. */
export type DraftCheck =
  { status: 'success'; body: CreateRequestBody } | { status: 'error'; errors: DraftErrors };

/** Checks a draft against the chosen role's policy and the protocol schema. */
export function validateDraft(draft: RequestDraft, roles: readonly RoleSummary[]): DraftCheck {
  const errors: DraftErrors = {};
  const role = roles.find((r) => r.name === draft.role);
  if (!role) errors.role = 'Choose a role you are eligible for.';
  const duration = parseDuration(draft.duration);
  if (duration.status === 'error') errors.duration = duration.message;
  else if (role && duration.seconds > role.maxDurationSeconds) {
    errors.duration = `At most ${formatDuration(role.maxDurationSeconds)} for ${role.name}.`;
  }
  const reason = draft.reason.trim();
  if (role?.reasonRequired && reason.length === 0)
    errors.reason = 'A reason is required for this role.';
  const ticket = draft.ticket.trim();
  if (role?.ticketPattern !== undefined) {
    if (!matchesPattern(role.ticketPattern, ticket)) {
      errors.ticket = `A ticket matching ${role.ticketPattern} is required.`;
    }
  }
  if (Object.keys(errors).length > 0) return { status: 'error', errors };
  const parsed = createRequestBodySchema.safeParse({
    role: draft.role,
    durationSeconds: duration.status === 'success' ? duration.seconds : 0,
    reason,
    ...(ticket.length > 0 ? { ticket } : {}),
  });
  if (!parsed.success) return { status: 'error', errors: errorsFromIssues(parsed.error.issues) };
  return { status: 'success', body: parsed.data };
}

function matchesPattern(pattern: string, ticket: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(ticket);
  } catch {
    // A broken pattern in policy is the broker's to enforce; do not block the user here.
    return true;
  }
}

function errorsFromIssues(
  issues: readonly { path: PropertyKey[]; message: string }[],
): DraftErrors {
  const errors: DraftErrors = {};
  for (const issue of issues) {
    const key = issue.path[0];
    const field: keyof RequestDraft =
      key === 'durationSeconds' ? 'duration' : key === 'reason' || key === 'ticket' ? key : 'role';
    errors[field] ??= issue.message;
  }
  return errors;
}
