/**
 * Every configured provider's health at once (`GET /readyz?verbose`, `hourglass-broker drill`):
 * each check bounded in time, so a target that hangs reads as down instead of hanging the probe.
 */
import type { ProviderHealthView, ProviderKind } from '../../protocol/broker-api.ts';
import type { BoundProvider } from '../credentials/provider.ts';

/** How long one provider's check may take before it counts as down. */
export const HEALTH_TIMEOUT_MS = 3000;

async function bounded(provider: BoundProvider, timeoutMs: number): Promise<ProviderHealthView> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ProviderHealthView>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          kind: provider.kind,
          status: 'down',
          detail: `no answer within ${timeoutMs / 1000} s`,
        }),
      timeoutMs,
    );
  });
  const checked = provider.health().catch((error: unknown): ProviderHealthView => ({
    kind: provider.kind,
    status: 'down',
    detail: error instanceof Error ? error.message : 'the health check failed',
  }));
  try {
    return await Promise.race([checked, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each provider's health, in registry order. */
export function providersHealth(
  providers: ReadonlyMap<ProviderKind, BoundProvider>,
  timeoutMs = HEALTH_TIMEOUT_MS,
): Promise<ProviderHealthView[]> {
  return Promise.all([...providers.values()].map((p) => bounded(p, timeoutMs)));
}
