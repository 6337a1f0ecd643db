import { describe, expect, it } from 'vitest';
import { electronBuilderConfig, electronFuses } from './electron-builder.config.ts';

describe('packaging config', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect; turns on ASAR integrity, ASAR-only and cookie encryption', () => {
    expect(electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    expect(electronBuilderConfig.electronFuses).toBe(electronFuses);
  });

  it('packages into an ASAR with an app id and only built output', () => {
    expect(electronBuilderConfig.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(electronBuilderConfig.asar).toBe(true);
    expect(electronBuilderConfig.files).toContain('dist/renderer/**');
    expect(
      electronBuilderConfig.files.some((f) => f.startsWith('agent') || f.startsWith('broker')),
    ).toBe(false);
  });
});
