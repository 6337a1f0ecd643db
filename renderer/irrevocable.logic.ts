/** The console's alarm for grants whose access could not be removed at the target. Pure. */
import type { LocalGrant } from '../protocol/agent-api.ts';

/** One alarm line per marked grant (empty when none): shown on every view until the mark clears. */
export function irrevocableAlarms(
  grants: readonly LocalGrant[],
  time: (iso: string) => string,
): string[] {
  return grants.flatMap((g) =>
    g.irrevocableAt === null
      ? []
      : [
          `Access of ${g.role} (grant ${g.id}) could not be removed at its target since ` +
            `${time(g.irrevocableAt)}: it may still work there. Admins are alerted; the broker keeps retrying.`,
        ],
  );
}
