/** The policy file's schema (as written) and the parsed policy the decisions work on. */
import { z } from 'zod';
import { parseDuration } from '../../protocol/duration.ts';
import { roleNameSchema } from '../../protocol/broker-api.ts';
import { providerSettingsSchema } from '../providers/provider-settings.ts';

/** A pending request waits at most this long for approval unless the policy says otherwise. */
export const DEFAULT_REQUEST_TTL_SECONDS = 3600;

const durationField = z.string().transform((text, ctx) => {
  const parsed = parseDuration(text);
  if (parsed.status === 'error') {
    ctx.addIssue({
      code: 'custom',
      message: `"${text.slice(0, 32)}" is not a duration; use 90s, 15m, 1h`,
    });
    return z.NEVER;
  }
  return parsed.seconds;
});

const patternField = z
  .string()
  .max(200)
  .refine(
    (pattern) => {
      try {
        new RegExp(pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  );

/** Extensions per grant when the policy names no budget. */
export const DEFAULT_EXTENSION_MAX_COUNT = 3;
/** Total extension time per grant when the policy names none: this many times the role's max. */
export const DEFAULT_EXTENSION_TOTAL_FACTOR = 4;

const roleFields = z.strictObject({
  name: roleNameSchema,
  description: z.string().max(500).default(''),
  /** What a grant hands out: one member per registered provider (broker/providers/provider-settings.ts). */
  provider: providerSettingsSchema,
  eligible: z.strictObject({ groups: z.array(z.string().min(1)).min(1) }),
  maxDuration: durationField,
  approval: z
    .strictObject({
      required: z.number().int().min(0).max(10),
      from: z.array(z.string().min(1)).default([]),
      /** How long a request (or an extension) may wait for its approvals before it lapses. */
      requestTtl: durationField.default(DEFAULT_REQUEST_TTL_SECONDS),
    })
    .default({ required: 0, from: [], requestTtl: DEFAULT_REQUEST_TTL_SECONDS }),
  reason: z.strictObject({ required: z.boolean() }).default({ required: true }),
  ticketPattern: patternField.optional(),
  /** Only callers whose token comes from this issuer (URL) may request the role. */
  issuer: z.url().optional(),
  /**
   * A break-glass role: active at once without approval, a reason always required, flagged loudly
   * (a `break_glass` audit record; the `notify` groups get the activation as an event and may revoke).
   */
  breakGlass: z.strictObject({ notify: z.array(z.string().min(1)).min(1) }).optional(),
  extension: z
    .strictObject({
      maxCount: z.number().int().min(0).max(100).optional(),
      maxTotal: durationField.optional(),
      requireApproval: z.boolean().default(false),
    })
    .optional(),
});

// The extension budget defaults depend on the role's max duration, so they are filled in here.
const roleSchema = roleFields
  .superRefine((role, ctx) => {
    if (role.breakGlass && (role.approval.required > 0 || role.extension?.requireApproval)) {
      ctx.addIssue({
        code: 'custom',
        path: ['breakGlass'],
        message: 'a break-glass role takes no approval; remove `approval.required` (or breakGlass)',
      });
    }
    if (role.breakGlass && !role.reason.required) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason', 'required'],
        message: 'a break-glass role always requires a reason',
      });
    }
    const needsApprovers = role.approval.required > 0 || role.extension?.requireApproval === true;
    if (needsApprovers && role.approval.from.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['approval', 'from'],
        message: 'a role that needs approvals must name at least one approver group in `from`',
      });
    }
  })
  .transform(({ extension, ...role }) => ({
    ...role,
    extension: {
      maxCount: extension?.maxCount ?? DEFAULT_EXTENSION_MAX_COUNT,
      maxTotal: extension?.maxTotal ?? DEFAULT_EXTENSION_TOTAL_FACTOR * role.maxDuration,
      requireApproval: extension?.requireApproval ?? false,
    },
  }));

/** Schema of a policy file. */
export const policyFileSchema = z
  .strictObject({
    tenant: z.string().min(1).max(64),
    /** Members of these groups may read and revoke any grant (not approve). */
    admins: z.strictObject({ groups: z.array(z.string().min(1)) }).default({ groups: [] }),
    /** Members of these groups may read the audit log (`GET /v1/audit`); nothing else. */
    auditors: z.strictObject({ groups: z.array(z.string().min(1)) }).default({ groups: [] }),
    roles: z.array(roleSchema),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.roles.forEach((role, index) => {
      if (seen.has(role.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['roles', index, 'name'],
          message: `duplicate role name "${role.name}"; each role needs its own name`,
        });
      }
      seen.add(role.name);
    });
  });

/** A parsed policy: durations in seconds. */
export type Policy = z.output<typeof policyFileSchema>;
/** One role of a parsed policy. */
export type PolicyRole = Policy['roles'][number];
