/**
 * The prompt segment: one line about the grants this device holds (`prod-db 12m`, `prod-db 12m +2`),
 * read by a shell prompt from a file so that drawing a prompt starts no process.
 */
import type { LocalGrant } from '../protocol/index.ts';

/** Time left, coarse enough for a line rewritten each minute: `1h05m`, `12m`, `<1m`. */
export function formatLeft(ms: number): string {
  if (ms < 60_000) return '<1m';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** The status line for `grants` at broker time `nowMs`: the soonest to expire first; empty when none. */
export function formatPromptStatus(grants: readonly LocalGrant[], nowMs: number): string {
  const held = grants
    .filter((g) => g.status === 'active' && g.credentialStored && g.expiresAt !== null)
    .map((g) => ({ role: g.role, left: Date.parse(g.expiresAt ?? '') - nowMs }))
    .filter((g) => g.left > 0)
    .sort((a, b) => a.left - b.left);
  const first = held[0];
  if (!first) return '';
  const more = held.length > 1 ? ` +${held.length - 1}` : '';
  return `${first.role} ${formatLeft(first.left)}${more}`;
}
