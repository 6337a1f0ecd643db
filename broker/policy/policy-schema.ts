/** The policy file's schema (as written) and the parsed policy the decisions work on. */
import { z } from 'zod';
import { parseDuration } from '../../protocol/duration.ts';
import { roleNameSchema } from '../../protocol/broker-api.ts';

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

const roleSchema = z.strictObject({
  name: roleNameSchema,
  description: z.string().max(500).default(''),
  provider: z.strictObject({
    kind: z.literal('jwt'),
    audience: z.string().min(1),
    claims: z.record(z.string(), z.string()).optional(),
  }),
  eligible: z.strictObject({ groups: z.array(z.string().min(1)).min(1) }),
  maxDuration: durationField,
  approvals: z
    .strictObject({
      required: z.number().int().min(0).max(10),
      approverGroups: z.array(z.string().min(1)),
      /** How long a request may wait for its approvals before it expires unapproved. */
      requestTtl: durationField.default(DEFAULT_REQUEST_TTL_SECONDS),
    })
    .default({ required: 0, approverGroups: [], requestTtl: DEFAULT_REQUEST_TTL_SECONDS }),
  reason: z.strictObject({ required: z.boolean() }).default({ required: true }),
  ticketPattern: patternField.optional(),
  extension: z
    .strictObject({ maxCount: z.number().int().min(0), maxTotal: durationField })
    .optional(),
});

/** Schema of a policy file. */
export const policyFileSchema = z
  .strictObject({
    tenant: z.string().min(1).max(64),
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
      if (role.approvals.required > 0 && role.approvals.approverGroups.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['roles', index, 'approvals', 'approverGroups'],
          message: 'a role that needs approvals must name at least one approver group',
        });
      }
    });
  });

/** A parsed policy: durations in seconds. */
export type Policy = z.output<typeof policyFileSchema>;
/** One role of a parsed policy. */
export type PolicyRole = Policy['roles'][number];
