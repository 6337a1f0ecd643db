/** The settings file: electron-store under the app's userData (0600). */
import Store from 'electron-store';
import { appSettingsSchema, type AppSettings, type SettingsPort } from './settings.ts';

/**
 * Settings in `settings.json` under the app's userData (0600). A file that does not parse is
 * replaced by the defaults rather than half-trusted.
 */
export function openSettingsStore(): SettingsPort {
  const store = new Store<Record<string, unknown>>({
    name: 'settings',
    configFileMode: 0o600,
    clearInvalidConfig: true,
  });
  const read = (): AppSettings => {
    const parsed = appSettingsSchema.safeParse(store.store);
    return parsed.success ? parsed.data : appSettingsSchema.parse({});
  };
  return {
    read,
    update(change) {
      const next = appSettingsSchema.parse({ ...read(), ...change });
      store.store = next;
      return next;
    },
  };
}
