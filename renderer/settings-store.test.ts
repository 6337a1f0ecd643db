import { describe, expect, it } from 'vitest';
import { ok, fail } from '../protocol/result.ts';
import { appSettingsSchema, type AppSettings, type SettingsChange } from './settings.logic.ts';
import { createSettingsStore, type SettingsHost } from './settings-store.ts';

/** A host keeping settings in memory, answering like main does (parsed, or refused). */
function memoryHost(): SettingsHost & { saved: AppSettings } {
  const host = {
    saved: appSettingsSchema.parse({}),
    getSettings: () => Promise.resolve(ok(host.saved)),
    updateSettings(change: SettingsChange) {
      if (change.warnBeforeSeconds?.length === 0)
        return Promise.resolve(fail<AppSettings>('bad_request', 'Give at least one mark.'));
      host.saved = appSettingsSchema.parse({ ...host.saved, ...change });
      return Promise.resolve(ok(host.saved));
    },
  };
  return host;
}

describe('settings store', () => {
  it('loads, saves, and reports a refused change without losing the shown settings', async () => {
    const host = memoryHost();
    const settings = createSettingsStore(host);
    expect(settings.store.getState()).toEqual({ phase: 'loading' });
    await settings.load();
    await settings.save({ wipeOnLock: true });
    expect(settings.store.getState()).toMatchObject({
      phase: 'ready',
      settings: { wipeOnLock: true },
      saved: true,
      error: null,
    });
    await settings.save({ warnBeforeSeconds: [] });
    expect(settings.store.getState()).toMatchObject({
      phase: 'ready',
      settings: { wipeOnLock: true },
      error: 'Give at least one mark.',
    });
  });

  it('is unavailable without a host (the console)', async () => {
    const settings = createSettingsStore(null);
    await settings.load();
    expect(settings.store.getState()).toEqual({ phase: 'unavailable' });
  });
});
