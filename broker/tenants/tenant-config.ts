/**
 * What each tenant of a broker has to itself: policy, signing key, store, provider targets and
 * webhooks. A config either names them at the top level (one tenant, served at the root) or lists
 * `tenants:` (each served under `/tenants/<name>`), never both; the checks here say which field is
 * wrong.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { providerKindSchema } from '../../protocol/broker-api.ts';
import { webhookEventSchema } from '../webhooks/webhooks.ts';
import { auditWitnessSchema, witnessPathProblem } from '../audit/witness-config.ts';

/** A tenant name: one URL path segment. */
export const tenantNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant name is lowercase letters, digits and -');

/** A PostgreSQL URL. */
export const databaseUrlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL starts with postgres:// or postgresql://');

/**
 * Webhooks for requested / approved / activated / denied / revoked / expired / break_glass /
 * irrevocable: generic JSON (HMAC-SHA256 signed with the secret in env var `secretEnv`) or
 * Slack-compatible; retried with backoff, never blocking a transition.
 */
export const webhooksSchema = z
  .array(
    z.strictObject({
      url: z.url(),
      format: z.enum(['json', 'slack']).default('json'),
      secretEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable, e.g. HOURGLASS_WEBHOOK_SECRET')
        .optional(),
      events: z.array(webhookEventSchema).min(1).optional(),
    }),
  )
  .default([]);

/**
 * Credential targets by name (a database, an SSH CA, an STS endpoint); each provider parses
 * its own. Secrets are named by `{ env: VAR }` or `{ file: path }`, never written here or in policy.
 */
export const targetsSchema = z
  .record(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a target name is lowercase letters, digits, -'),
    z.looseObject({ kind: providerKindSchema }),
  )
  .default({});

/** One entry of `tenants:`. */
export const tenantEntrySchema = z
  .strictObject({
    name: tenantNameSchema,
    /** The tenant's policy file; its `tenant:` must be `name`. */
    policyPath: z.string().min(1),
    signingKeyPath: z.string().min(1),
    databasePath: z.string().min(1).optional(),
    databaseUrl: databaseUrlSchema.optional(),
    targets: targetsSchema,
    webhooks: webhooksSchema,
    /** Where this tenant's signed checkpoints are witnessed outside its database. */
    auditWitness: auditWitnessSchema.optional(),
  })
  .refine((t) => t.databasePath !== undefined || t.databaseUrl !== undefined, {
    message: "set this tenant's own databasePath (SQLite file) or databaseUrl (PostgreSQL)",
    path: ['databasePath'],
  });

/** A tenant's own settings, whichever way the config names them. */
export interface TenantSettings {
  /** The tenant name of a `tenants:` entry; undefined for the one tenant served at the root. */
  name: string | undefined;
  /** Where the settings came from in the config, for messages: `tenants[1]` or `(top level)`. */
  field: string;
  policyPath: string;
  signingKeyPath: string;
  databasePath?: string | undefined;
  databaseUrl?: string | undefined;
  targets: z.infer<typeof targetsSchema>;
  webhooks: z.infer<typeof webhooksSchema>;
  auditWitness?: z.infer<typeof auditWitnessSchema> | undefined;
}

/** The fields a config holds for the tenants check. */
interface TenantFields {
  policyPath?: string | undefined;
  signingKeyPath?: string | undefined;
  databasePath?: string | undefined;
  databaseUrl?: string | undefined;
  targets: z.infer<typeof targetsSchema>;
  webhooks: z.infer<typeof webhooksSchema>;
  auditWitness?: z.infer<typeof auditWitnessSchema> | undefined;
  issuers: readonly { tenants?: readonly string[] | undefined }[];
  tenants?: readonly z.infer<typeof tenantEntrySchema>[] | undefined;
}

const PER_TENANT = [
  'policyPath',
  'signingKeyPath',
  'databasePath',
  'databaseUrl',
  'auditWitness',
] as const;

/** Without `tenants:`, the top level must name the one tenant's policy, key and store. */
function checkSingleTenant(c: TenantFields, ctx: z.RefinementCtx): void {
  for (const field of ['policyPath', 'signingKeyPath'] as const)
    if (c[field] === undefined)
      ctx.addIssue({ code: 'custom', path: [field], message: `set ${field} (or list tenants)` });
  if (c.databasePath === undefined && c.databaseUrl === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['databasePath'],
      message: 'set databasePath (SQLite file) or databaseUrl (PostgreSQL)',
    });
}

/** With `tenants:`, nothing per tenant may sit at the top level, where it would look shared. */
function checkNothingShared(c: TenantFields, ctx: z.RefinementCtx): void {
  const present = [
    ...PER_TENANT.filter((field) => c[field] !== undefined),
    ...(Object.keys(c.targets).length > 0 ? ['targets'] : []),
    ...(c.webhooks.length > 0 ? ['webhooks'] : []),
  ];
  for (const field of present)
    ctx.addIssue({
      code: 'custom',
      path: [field],
      message: `with tenants, set ${field} in each tenants entry (tenants share nothing); remove it here`,
    });
}

/**
 * The PostgreSQL database a URL names: server and database, without user, password or options.
 * Two schemas of one database would share its notification channel and audit-chain lock.
 */
function databaseOf(raw: string): string {
  try {
    const url = new URL(raw);
    const socket = url.searchParams.get('host') ?? '';
    return `${url.hostname}:${url.port || '5432'}${socket}${url.pathname}`;
  } catch {
    return raw;
  }
}

/** The store a tenant entry names, comparable across entries. */
const storeKey = (t: { databasePath?: string | undefined; databaseUrl?: string | undefined }) =>
  t.databaseUrl !== undefined
    ? `pg:${databaseOf(t.databaseUrl)}`
    : `file:${resolve(t.databasePath ?? '')}`;

/** Tenant names are distinct, each has its own store, and issuers name only configured tenants. */
function checkTenantList(
  tenants: readonly z.infer<typeof tenantEntrySchema>[],
  issuers: TenantFields['issuers'],
  ctx: z.RefinementCtx,
): void {
  const names = tenants.map((t) => t.name);
  const stores = tenants.map(storeKey);
  tenants.forEach((tenant, i) => {
    const same = names.indexOf(tenant.name);
    if (same !== i)
      ctx.addIssue({
        code: 'custom',
        path: ['tenants', i, 'name'],
        message: `duplicate tenant name "${tenant.name}" (also tenants[${same}])`,
      });
    const shared = stores.indexOf(storeKey(tenant));
    if (shared !== i)
      ctx.addIssue({
        code: 'custom',
        path: ['tenants', i, tenant.databaseUrl !== undefined ? 'databaseUrl' : 'databasePath'],
        message: `the same ${tenant.databaseUrl !== undefined ? 'PostgreSQL database' : 'store'} as tenants[${shared}] (${tenants[shared]?.name ?? ''}); give each tenant its own database`,
      });
  });
  issuers.forEach((issuer, i) => {
    const unknown = (issuer.tenants ?? []).filter((t) => !names.includes(t));
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['issuers', i, 'tenants'],
        message: `names no configured tenant: ${unknown.join(', ')} (tenants: ${names.join(', ')})`,
      });
  });
}

/** Each witness file apart from its database and from every other tenant's witness file. */
function checkWitnessFiles(c: TenantFields, ctx: z.RefinementCtx): void {
  const all = tenantSettings(c);
  const files = all.map((t) => (t.auditWitness?.file ? resolve(t.auditWitness.file) : undefined));
  all.forEach((tenant, i) => {
    const file = tenant.auditWitness?.file;
    if (file === undefined) return;
    const base = c.tenants === undefined ? [] : ['tenants', i];
    const path = [...base, 'auditWitness', 'file'];
    const problem = witnessPathProblem(file, tenant.databasePath);
    if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    const other = files.indexOf(files[i]);
    if (other !== i)
      ctx.addIssue({
        code: 'custom',
        path,
        message: `the same witness file as tenants[${other}]; give each tenant its own witness file`,
      });
  });
}

/** The config-level check of tenants (a `superRefine` of the broker config). */
export function checkTenants(c: TenantFields, ctx: z.RefinementCtx): void {
  if (c.tenants === undefined) {
    checkSingleTenant(c, ctx);
    checkWitnessFiles(c, ctx);
    return;
  }
  checkNothingShared(c, ctx);
  checkTenantList(c.tenants, c.issuers, ctx);
  checkWitnessFiles(c, ctx);
}

/** Every tenant the config serves: the `tenants:` entries, or the top level's one tenant. */
export function tenantSettings(c: TenantFields): TenantSettings[] {
  if (c.tenants !== undefined) return c.tenants.map((t, i) => ({ ...t, field: `tenants[${i}]` }));
  // The schema's check guarantees both paths without `tenants:`.
  return [
    {
      name: undefined,
      field: '(top level)',
      policyPath: c.policyPath ?? '',
      signingKeyPath: c.signingKeyPath ?? '',
      databasePath: c.databasePath,
      databaseUrl: c.databaseUrl,
      targets: c.targets,
      webhooks: c.webhooks,
      auditWitness: c.auditWitness,
    },
  ];
}

/**
 * The one tenant a tool works on (`audit … --config FILE [--tenant NAME]`): the named one, or the
 * only one; an error saying what to pass otherwise.
 */
export function pickTenant(
  c: TenantFields,
  name: string | undefined,
): { status: 'success'; tenant: TenantSettings } | { status: 'error'; message: string } {
  const all = tenantSettings(c);
  const names = all.map((t) => t.name ?? '(root)').join(', ');
  const [only] = all;
  if (name === undefined)
    return all.length === 1 && only
      ? { status: 'success', tenant: only }
      : {
          status: 'error',
          message: `the config serves several tenants; name one with --tenant (${names})`,
        };
  const found = all.find((t) => t.name === name);
  return found
    ? { status: 'success', tenant: found }
    : { status: 'error', message: `the config serves no tenant ${name} (tenants: ${names})` };
}
