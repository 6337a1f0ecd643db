/** The keychain health banner (desktop app): what doctor's keychain probe found, and the fix. */
import { createContext, useContext, useEffect } from 'react';
import { useStore } from 'zustand';
import { keychainBanner } from '../keychain-health.logic.ts';
import type { KeychainHealthStoreApi } from '../keychain-health-store.ts';

/** Context carrying the keychain health store. */
export const KeychainHealthContext = createContext<KeychainHealthStoreApi | null>(null);

/** Shown only while the keychain has a problem. */
export function KeychainBanner() {
  const api = useContext(KeychainHealthContext);
  if (!api) throw new Error('KeychainBanner needs a KeychainHealthContext provider');
  const health = useStore(api.store, (s) => s.health);
  useEffect(() => {
    void api.load();
    const onFocus = () => void api.load();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [api]);
  const text = keychainBanner(health);
  return text ? (
    <p className="banner" role="alert" data-testid="keychain-banner">
      {text}
    </p>
  ) : null;
}
