/**
 * `hourglass setup <broker-url>`: reads what the broker publishes at `/.well-known/hourglass`
 * (issuers, audience, the app's client id) and writes the profile's `config.json` (0600).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AudienceParameter, BrokerDiscovery, Result } from '../protocol/index.ts';
import { BROKER_DISCOVERY_PATH, brokerDiscoverySchema, fail, ok } from '../protocol/index.ts';
import { ensurePrivateDir } from './grant-store.ts';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** What setup wrote. */
export interface SetupOutcome {
  path: string;
  brokerUrl: string;
  issuer: string;
  clientId: string;
  audience: string;
}

/** The broker URL, checked: https, or plain http on loopback when insecure http is allowed. */
export function parseBrokerUrl(raw: string, allowInsecureHttp: boolean): Result<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(
      'bad_request',
      `"${raw.slice(0, 100)}" is not a URL; give the broker's address, e.g. https://hourglass.example.com`,
    );
  }
  if (url.protocol === 'https:') return ok(url);
  if (url.protocol === 'http:' && allowInsecureHttp && LOOPBACK.has(url.hostname)) return ok(url);
  return fail(
    'bad_request',
    `the broker URL must use https (plain http only for 127.0.0.1 with HOURGLASS_ALLOW_INSECURE_HTTP=1): ${url.origin}`,
  );
}

/** Fetches and parses the broker's discovery document. */
export async function fetchBrokerDiscovery(base: URL): Promise<Result<BrokerDiscovery>> {
  // Relative to the base's path: a broker serving several tenants mounts each under its own path.
  const where = `${base.href.replace(/\/+$/, '')}${BROKER_DISCOVERY_PATH}`;
  let response: Response;
  try {
    response = await fetch(where, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  } catch {
    return fail(
      'broker_unreachable',
      `cannot reach ${base.origin}; check the URL, your network or VPN and retry`,
    );
  }
  const json: unknown = await response.json().catch(() => undefined);
  const parsed = brokerDiscoverySchema.safeParse(json);
  if (!response.ok || !parsed.success)
    return fail(
      'bad_request',
      `${base.origin} does not look like a Hourglass broker (no valid ${BROKER_DISCOVERY_PATH}, HTTP ${response.status}); check the URL with whoever runs it`,
    );
  return ok(parsed.data);
}

/** Picks the issuer to sign in with: the only one, or the one named by `--issuer`. */
export function pickIssuer(
  discovery: BrokerDiscovery,
  wanted: string | undefined,
  clientIdFlag?: string,
): Result<BrokerDiscovery['issuers'][number] & { clientId: string }> {
  const names = discovery.issuers.map((i) => i.name ?? i.issuer).join(', ');
  const chosen =
    wanted === undefined
      ? discovery.issuers.length === 1
        ? discovery.issuers[0]
        : undefined
      : discovery.issuers.find((i) => i.name === wanted || i.issuer === wanted);
  if (!chosen)
    return fail(
      'bad_request',
      wanted === undefined
        ? `the broker trusts several identity providers (${names}); pick one with --issuer <name>`
        : `the broker does not trust "${wanted.slice(0, 100)}"; it trusts ${names}`,
    );
  const clientId = clientIdFlag ?? chosen.clientId;
  if (clientId === null)
    return fail(
      'bad_request',
      `the broker publishes no client id for ${chosen.issuer}; ask its admin to set \`clientId\` on that issuer, or pass --client-id`,
    );
  return ok({ ...chosen, clientId });
}

/** What `setup` would replace in `dataDir`: the demo's configuration, or another broker's. */
export type ExistingSetup = { kind: 'demo' } | { kind: 'other'; brokerUrl: string };

/**
 * Whether `dataDir` holds a configuration that setup must not silently replace: the demo's
 * (`npm start` writes it with `demo: true`; replacing it turns the demo off, and the next
 * `npm start` moves to another folder), or one for another broker.
 */
export function otherSetup(dataDir: string, brokerUrl: string): ExistingSetup | null {
  const path = join(dataDir, 'config.json');
  if (!existsSync(path)) return null;
  try {
    const current = JSON.parse(readFileSync(path, 'utf8')) as {
      brokerUrl?: unknown;
      demo?: unknown;
    };
    if (current.demo === true) return { kind: 'demo' };
    if (current.brokerUrl === brokerUrl) return null;
    return {
      kind: 'other',
      brokerUrl: typeof current.brokerUrl === 'string' ? current.brokerUrl : 'another broker',
    };
  } catch {
    return null;
  }
}

/** Writes the profile's config for `issuer` at the broker. */
export function writeProfileConfig(
  dataDir: string,
  brokerUrl: string,
  issuer: {
    issuer: string;
    audience: string;
    clientId: string;
    audienceParameter: AudienceParameter;
  },
  allowInsecureHttp: boolean,
): SetupOutcome {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, 'config.json');
  const config = {
    issuer: issuer.issuer,
    clientId: issuer.clientId,
    brokerUrl,
    brokerAudience: issuer.audience,
    audienceParameter: issuer.audienceParameter,
    demo: false,
    ...(allowInsecureHttp ? { allowInsecureHttp: true } : {}),
  };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return {
    path,
    brokerUrl,
    issuer: issuer.issuer,
    clientId: issuer.clientId,
    audience: issuer.audience,
  };
}
