/** The keychain banner: what `hourglass doctor`'s keychain probe found, in words. Pure. */
import { z } from 'zod';

/** The probe result the desktop app hands the window (never a secret). */
export const keychainHealthSchema = z.object({
  status: z.enum(['ok', 'warn', 'fail']),
  detail: z.string().max(500),
  fix: z.string().max(500).nullable(),
});
/** One probe result. */
export type KeychainHealth = z.infer<typeof keychainHealthSchema>;

/** The banner text, or null when the keychain is fine. */
export function keychainBanner(health: KeychainHealth | null): string | null {
  if (!health || health.status === 'ok') return null;
  const fix = health.fix ? ` — ${health.fix}` : '';
  return `Keychain: ${health.detail}${fix}. Credentials cannot be stored until this is fixed.`;
}
