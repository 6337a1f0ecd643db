/** The broker's configuration: zod-parsed from a YAML/JSON file or built in code. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { audienceParameterSchema } from '../protocol/broker-api.ts';
import { auditWitnessSchema } from './audit/witness-config.ts';
import { DEFAULT_MAX_TOKEN_AGE_SECONDS } from './auth/token-verifier.ts';
import {
  checkTenants,
  databaseUrlSchema,
  targetsSchema,
  tenantEntrySchema,
  webhooksSchema,
} from './tenants/tenant-config.ts';
import { trustedProxiesSchema } from './trusted-proxies.ts';

/** One trusted OIDC issuer and the audience its access tokens must carry for the broker. */
export const trustedIssuerSchema = z.strictObject({
  issuer: z.url(),
  audience: z.string().min(1),
  /** Access-token claim with the end of the IdP session (epoch seconds); caps granted time. */
  sessionClaim: z.string().min(1).max(64).default('session_exp'),
  /** Qualifies this issuer's groups in policy as `name:group`; at most one issuer goes unnamed. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'an issuer name is lowercase letters, digits and -')
    .optional(),
  /** Where the token carries each claim (dotted paths, e.g. `realm_access.roles`). */
  claims: z
    .strictObject({
      subject: z.string().min(1).max(128).optional(),
      email: z.string().min(1).max(128).optional(),
      name: z.string().min(1).max(128).optional(),
      groups: z.string().min(1).max(128).optional(),
    })
    .optional(),
  /** Tenants this issuer's users may act in; absent: any. */
  tenants: z.array(z.string().min(1).max(64)).min(1).optional(),
  /** `typ` header the issuer sets on access tokens (RFC 9068 `at+jwt`); then required. */
  accessTokenType: z.string().min(1).max(64).optional(),
  /** Refuse tokens issued longer ago than this (seconds), whatever their `exp`; default 1 hour. */
  maxTokenAgeSeconds: z
    .number()
    .int()
    .positive()
    .max(86_400)
    .default(DEFAULT_MAX_TOKEN_AGE_SECONDS),
  /** Public client id of the Hourglass app at this IdP: published for `hourglass setup`. */
  clientId: z.string().min(1).max(200).optional(),
  /**
   * How clients ask this IdP for `audience` (published for `hourglass setup`): `resource`
   * (default), `audience` (Auth0), `scope` (Entra ID v2), `none` (the IdP sets it).
   */
  audienceParameter: audienceParameterSchema.optional(),
});

const distinctIssuerNames = (
  issuers: readonly { issuer: string; name?: string | undefined }[],
  ctx: z.RefinementCtx,
): void => {
  const names = issuers.map((i) => i.name);
  if (names.filter((n) => n === undefined).length > 1)
    ctx.addIssue({
      code: 'custom',
      path: ['issuers'],
      message:
        'several issuers need a `name` each (at most one may go unnamed), so their groups stay apart',
    });
  names.forEach((name, index) => {
    if (name !== undefined && names.indexOf(name) !== index)
      ctx.addIssue({
        code: 'custom',
        path: ['issuers', index, 'name'],
        message: `duplicate issuer name "${name}"`,
      });
  });
};

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Broker configuration. */
export const brokerConfigSchema = z
  .strictObject({
    /** Address to listen on; beyond loopback only with `tls` or behind a `trustProxy` proxy. */
    host: z.string().min(1).max(255).default('127.0.0.1'),
    /** Serve HTTPS with this certificate chain and key (PEM files). */
    tls: z.strictObject({ certPath: z.string().min(1), keyPath: z.string().min(1) }).optional(),
    /**
     * Behind a reverse proxy that terminates TLS: the proxies' addresses or CIDR blocks, whose
     * `X-Forwarded-*` headers are believed (the client address for rate limits). Never `true`.
     */
    trustProxy: trustedProxiesSchema.optional(),
    /** JSON log level on stdout (pino); `hourglass-broker serve` defaults to info, code to silent. */
    logLevel: z.enum(['silent', 'fatal', 'error', 'warn', 'info', 'debug']).optional(),
    port: z.number().int().min(0).max(65535).default(0),
    publicUrl: z.url().optional(),
    issuers: z.array(trustedIssuerSchema).min(1).superRefine(distinctIssuerNames),
    /** The one tenant's policy file (without `tenants`). */
    policyPath: z.string().min(1).optional(),
    /** The SQLite file (the embedded default); ignored when `databaseUrl` is set. */
    databasePath: z.string().min(1).optional(),
    /** A PostgreSQL URL (`postgres://…`): several broker replicas may share it. */
    databaseUrl: databaseUrlSchema.optional(),
    signingKeyPath: z.string().min(1).optional(),
    rateLimitPerMinute: z.number().int().positive().default(120),
    /** Seconds after a grant ends that its wipe receipt is awaited before "wipe not confirmed". */
    wipeGraceSeconds: z.number().int().min(0).max(86400).default(120),
    /** Seconds between heartbeat comments on `GET /v1/events`. */
    eventHeartbeatSeconds: z.number().min(0.05).max(300).default(15),
    webhooks: webhooksSchema,
    /** Seconds between signed checkpoints of the audit chain head (also written at shutdown). */
    auditCheckpointSeconds: z.number().min(0.05).max(3600).default(60),
    /** Where the one tenant's signed checkpoints are witnessed outside its database. */
    auditWitness: auditWitnessSchema.optional(),
    targets: targetsSchema,
    /**
     * Several tenants in one process, each under `/tenants/<name>` with its own policy, signing
     * key, store, targets and webhooks (then none of those at the top level).
     */
    tenants: z.array(tenantEntrySchema).min(1).optional(),
  })
  .refine((c) => isLoopback(c.host) || c.tls !== undefined || c.trustProxy !== undefined, {
    message:
      'listening beyond loopback needs tls (certPath, keyPath) or a trustProxy setting for the proxy in front',
    path: ['host'],
  })
  .superRefine(checkTenants);

/** Parsed broker configuration. */
export type BrokerConfig = z.infer<typeof brokerConfigSchema>;
/** Broker configuration as written (defaults optional). */
export type BrokerConfigInput = z.input<typeof brokerConfigSchema>;

/** A config field as written in messages: `tenants[1].policyPath`, `issuers[0].name`. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
    .join('');
}

/** Parses configuration values; the error names each bad field. */
export function parseBrokerConfig(
  input: unknown,
): { status: 'success'; config: BrokerConfig } | { status: 'error'; message: string } {
  const parsed = brokerConfigSchema.safeParse(input);
  if (parsed.success) return { status: 'success', config: parsed.data };
  const problems = parsed.error.issues.map((i) => `${fieldName(i.path) || '(root)'}: ${i.message}`);
  return { status: 'error', message: `broker config: ${problems.join('; ')}` };
}

/** Reads and parses a YAML or JSON config file. */
export async function loadBrokerConfig(
  path: string,
): Promise<{ status: 'success'; config: BrokerConfig } | { status: 'error'; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { status: 'error', message: `${path}: cannot read the broker config file` };
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return { status: 'error', message: `${path}: not valid YAML or JSON` };
  }
  const result = parseBrokerConfig(raw);
  return result.status === 'success'
    ? result
    : { status: 'error', message: `${path}: ${result.message}` };
}
