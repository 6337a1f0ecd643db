import { describe, expect, it } from 'vitest';
import { secureWebPreferences } from './secure-prefs.ts';

describe('secureWebPreferences', () => {
  it('isolates, sandboxes and strips Node from every window', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/preload.cjs',
    });
  });

  it('never enables experimental or remote features', () => {
    const prefs = secureWebPreferences() as Record<string, unknown>;
    for (const key of ['experimentalFeatures', 'enableBlinkFeatures', 'enableRemoteModule']) {
      expect(prefs[key]).toBeUndefined();
    }
    expect(prefs.preload).toBeUndefined();
  });
});
