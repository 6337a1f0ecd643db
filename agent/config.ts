/** The agent's configuration: environment variables over `<dataDir>/config.json`, parsed with zod. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Result } from '../protocol/index.ts';
import { fail, ok, profileNameSchema } from '../protocol/index.ts';
import { audienceParameterSchema, type AudienceParameter } from '../protocol/broker-api.ts';

/** The profile used when none is named; its data dir is the base dir (compatible with before). */
export const DEFAULT_PROFILE = 'default';

/** Everything the agent needs to know to run. */
export interface AgentConfig {
  issuer: string;
  clientId: string;
  brokerUrl: string;
  brokerAudience: string;
  /** How the IdP is asked for `brokerAudience` (from `hourglass setup`; default `resource`). */
  audienceParameter?: AudienceParameter;
  dataDir: string;
  socketPath: string;
  demo: boolean;
  /** Plain-http IdP/broker; only for loopback hosts (demo and tests). */
  allowInsecureHttp: boolean;
  warnBeforeSeconds: number[];
  /** Never hand out a credential with less than this left (capped at a quarter of the grant). */
  minExportSeconds: number;
  /** `--profile` / `HOURGLASS_PROFILE`; absent means `default`. */
  profile?: string;
  /**
   * The demo only: the D-Bus session address of the private keyring `npm start` runs on a box
   * without a session bus. Every profile's agent uses it, so each keeps its secrets where the
   * demo's own agent does (the profiles inherit the demo's config.json).
   */
  demoKeyringBus?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

const fileSchema = z.strictObject({
  issuer: z.string().optional(),
  clientId: z.string().optional(),
  brokerUrl: z.string().optional(),
  brokerAudience: z.string().optional(),
  audienceParameter: audienceParameterSchema.optional(),
  demo: z.boolean().optional(),
  allowInsecureHttp: z.boolean().optional(),
  warnBeforeSeconds: z.array(z.number().int().positive()).max(10).optional(),
  minExportSeconds: z.number().int().min(0).max(3600).optional(),
  /** Written by the demo only (see AgentConfig.demoKeyringBus); a unix socket address. */
  demoKeyringBus: z
    .string()
    .max(500)
    .regex(/^unix:[^\0\n]+$/, 'a D-Bus unix socket address (unix:path=… or unix:abstract=…)')
    .optional(),
});

/** The base directory: `HOURGLASS_HOME`, else `$XDG_STATE_HOME/hourglass`, else `~/.local/state/hourglass`. */
export function resolveBaseDir(env: NodeJS.ProcessEnv): string {
  if (env.HOURGLASS_HOME) return env.HOURGLASS_HOME;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'hourglass');
}

/** The profile named by `HOURGLASS_PROFILE` (validated), else `default`. */
export function resolveProfile(env: NodeJS.ProcessEnv): Result<string> {
  const name = env.HOURGLASS_PROFILE;
  if (name === undefined || name === '') return ok(DEFAULT_PROFILE);
  const parsed = profileNameSchema.safeParse(name);
  if (!parsed.success)
    return fail(
      'bad_request',
      `Profile "${name.slice(0, 40)}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  return ok(parsed.data);
}

/** The data dir of `profile`: the base dir for `default`, else `<base>/profiles/<profile>`. */
export function profileDataDir(baseDir: string, profile: string): string {
  return profile === DEFAULT_PROFILE ? baseDir : join(baseDir, 'profiles', profile);
}

/**
 * The data directory of the profile in `env`. An invalid profile name falls back to a dir no
 * agent serves; `loadAgentConfig` reports the name.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv): string {
  const profile = resolveProfile(env);
  return profileDataDir(resolveBaseDir(env), profile.ok ? profile.value : 'invalid-profile');
}

/** The local API socket of the agent serving `dataDir`. */
export function socketPathFor(dataDir: string): string {
  return join(dataDir, 'agent.sock');
}

function readConfigFile(
  dataDir: string,
  fallbackDir: string | null,
): Result<z.infer<typeof fileSchema>> {
  const own = join(dataDir, 'config.json');
  let path = own;
  let text: string;
  try {
    text = readFileSync(own, 'utf8');
  } catch {
    // A new profile has no settings of its own: it uses the default profile's (in the demo,
    // the demo stack), so a second user can sign in beside the first.
    if (fallbackDir === null) return ok({});
    path = join(fallbackDir, 'config.json');
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return ok({});
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('bad_request', `${path} is not valid JSON; fix or remove it`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      'bad_request',
      `${path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
    );
  }
  return ok(parsed.data);
}

function checkUrl(name: string, value: string | undefined, insecure: boolean): Result<string> {
  if (!value) return fail('bad_request', `${name} is not set; set it to the URL (e.g. https://…)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('bad_request', `${name} is not a valid URL: "${value.slice(0, 100)}"`);
  }
  if (url.protocol === 'https:') return ok(value);
  if (url.protocol === 'http:' && insecure && LOOPBACK.has(url.hostname)) {
    return ok(value);
  }
  return fail(
    'bad_request',
    `${name} must use https (plain http is allowed only for 127.0.0.1 with HOURGLASS_ALLOW_INSECURE_HTTP=1)`,
  );
}

const flag = (v: string | undefined): boolean | undefined =>
  v === undefined ? undefined : ['1', 'true', 'yes'].includes(v.toLowerCase());

function parseWarnMarks(v: string | undefined): Result<number[] | undefined> {
  if (v === undefined) return ok(undefined);
  const marks = v.split(',').map((s) => Number(s.trim()));
  if (marks.some((m) => !Number.isInteger(m) || m <= 0)) {
    return fail(
      'bad_request',
      'HOURGLASS_WARN_BEFORE must be comma-separated whole seconds, e.g. 600,120',
    );
  }
  return ok(marks);
}

/** Loads the agent configuration from `env` and `<dataDir>/config.json`; env wins. */
export function loadAgentConfig(env: NodeJS.ProcessEnv): Result<AgentConfig> {
  const profile = resolveProfile(env);
  if (!profile.ok) return profile;
  const baseDir = resolveBaseDir(env);
  const dataDir = profileDataDir(baseDir, profile.value);
  const file = readConfigFile(dataDir, profile.value === DEFAULT_PROFILE ? null : baseDir);
  if (!file.ok) return file;
  const f = file.value;
  const marks = parseWarnMarks(env.HOURGLASS_WARN_BEFORE);
  if (!marks.ok) return marks;
  const allowInsecureHttp = flag(env.HOURGLASS_ALLOW_INSECURE_HTTP) ?? f.allowInsecureHttp ?? false;
  const issuer = checkUrl('HOURGLASS_ISSUER', env.HOURGLASS_ISSUER ?? f.issuer, allowInsecureHttp);
  if (!issuer.ok) return issuer;
  const brokerUrl = checkUrl(
    'HOURGLASS_BROKER_URL',
    env.HOURGLASS_BROKER_URL ?? f.brokerUrl,
    allowInsecureHttp,
  );
  if (!brokerUrl.ok) return brokerUrl;
  return ok({
    issuer: issuer.value,
    brokerUrl: brokerUrl.value.replace(/\/+$/, ''),
    clientId: env.HOURGLASS_CLIENT_ID ?? f.clientId ?? 'hourglass-desktop',
    brokerAudience: env.HOURGLASS_AUDIENCE ?? f.brokerAudience ?? 'urn:hourglass:broker',
    audienceParameter: f.audienceParameter ?? 'resource',
    dataDir,
    socketPath: socketPathFor(dataDir),
    demo: flag(env.HOURGLASS_DEMO) ?? f.demo ?? false,
    allowInsecureHttp,
    warnBeforeSeconds: marks.value ?? f.warnBeforeSeconds ?? [600, 120],
    minExportSeconds: f.minExportSeconds ?? 30,
    profile: profile.value,
    // Honoured only in settings the demo wrote: never a way to point a real profile's agent at
    // another keyring.
    ...(f.demo === true && f.demoKeyringBus ? { demoKeyringBus: f.demoKeyringBus } : {}),
  });
}

/**
 * The environment an agent for `config` starts with: a demo's profiles get the demo's private
 * keyring bus (the CLI's own shell has none on a headless box), like the demo's own agent.
 */
export function agentEnvironment(env: NodeJS.ProcessEnv, config: AgentConfig): NodeJS.ProcessEnv {
  return config.demoKeyringBus ? { ...env, DBUS_SESSION_BUS_ADDRESS: config.demoKeyringBus } : env;
}
