/**
 * The drill's first step: the broker's own view of its providers (`GET /readyz?verbose`). Every
 * provider's health is reported; the drilled role's provider being down fails the drill before a
 * grant is requested, naming the target.
 */
import { readinessSchema, rolesResponseSchema } from '../../protocol/broker-api.ts';

/** What the health step needs. */
export interface HealthStep {
  brokerUrl: string;
  role: string;
  token: string;
  out: (line: string) => void;
}

async function getJson(url: string, token?: string): Promise<unknown> {
  const answer = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(15_000),
  });
  if (!answer.ok) throw new Error(`${new URL(url).pathname}: HTTP ${answer.status}`);
  return answer.json();
}

/** Reports provider health; answers why the drill cannot go on, or null. */
export async function checkProviderHealth(o: HealthStep): Promise<string | null> {
  const { roles } = rolesResponseSchema.parse(await getJson(`${o.brokerUrl}/v1/roles`, o.token));
  const kind = roles.find((r) => r.name === o.role)?.provider;
  if (!kind) return `role ${o.role} is not available to the drill identity (see its groups)`;
  const { providers = [] } = readinessSchema.parse(await getJson(`${o.brokerUrl}/readyz?verbose`));
  for (const p of providers) {
    const mark = p.status === 'ok' ? 'PASS' : p.kind === kind ? 'FAIL' : 'WARN';
    o.out(`${mark} health ${p.kind}: ${p.status}${p.detail ? ` — ${p.detail}` : ''}`);
  }
  const mine = providers.find((p) => p.kind === kind);
  if (!mine) return `the broker reports no ${kind} provider for role ${o.role}`;
  return mine.status === 'ok'
    ? null
    : `the ${kind} provider is down: ${mine.detail ?? 'no detail'}`;
}
