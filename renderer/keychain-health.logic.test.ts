import { describe, expect, it } from 'vitest';
import { fail, ok } from '../protocol/result.ts';
import { keychainBanner } from './keychain-health.logic.ts';
import { createKeychainHealthStore, keychainHealthAnswered } from './keychain-health-store.ts';

describe('keychain banner', () => {
  it('says nothing when the keychain is fine; the problem and the fix when not', () => {
    expect(keychainBanner(null)).toBeNull();
    expect(
      keychainBanner({ status: 'ok', detail: 'reachable and unlocked', fix: null }),
    ).toBeNull();
    expect(
      keychainBanner({ status: 'fail', detail: 'the login keyring is locked', fix: 'unlock it' }),
    ).toBe(
      'Keychain: the login keyring is locked — unlock it. Credentials cannot be stored until this is fixed.',
    );
  });

  it('keeps what it had on a failed or malformed answer', async () => {
    const held = { health: { status: 'fail' as const, detail: 'locked', fix: null } };
    expect(keychainHealthAnswered(held, fail('internal', 'x'))).toBe(held);
    expect(keychainHealthAnswered(held, ok({ status: 'bogus' }))).toBe(held);
    expect(keychainHealthAnswered(held, ok(null))).toEqual({ health: null });
    const api = createKeychainHealthStore(() =>
      Promise.resolve(ok({ status: 'warn', detail: 'slow', fix: null })),
    );
    await api.load();
    expect(api.store.getState().health?.status).toBe('warn');
  });
});
