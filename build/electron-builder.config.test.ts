import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import { afterPack, fuseConfig, packedBinary } from './after-pack.ts';
import { distBlocker } from './dist.ts';
import { electronBuilderConfig } from './electron-builder.config.ts';

const require = createRequire(import.meta.url);
// electron-builder's own schema validation (what `electron-builder` runs before packing).
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration: (config: Configuration, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };

describe('packaging config', () => {
  it('passes electron-builder’s own validation, with the afterPack hook', async () => {
    await expect(
      validateConfiguration({ ...electronBuilderConfig, afterPack }, new DebugLogger(false)),
    ).resolves.toBeUndefined();
  });

  it('the validator does reject a broken config (so the check above means something)', async () => {
    await expect(
      validateConfiguration(
        {
          ...electronBuilderConfig,
          protocols: [{ schemes: 'hourglass' }],
        } as unknown as Configuration,
        new DebugLogger(false),
      ),
    ).rejects.toThrow(/protocols/);
  });

  it('registers hourglass:// and ships the icon it names', () => {
    expect(electronBuilderConfig.protocols.flatMap((p) => p.schemes)).toEqual(['hourglass']);
    expect(existsSync(new URL(`../${electronBuilderConfig.icon}`, import.meta.url))).toBe(true);
  });

  it('fuses: RunAsNode, NODE_OPTIONS, --inspect off; ASAR integrity and ASAR-only on; every fuse set', () => {
    const fuses = fuseConfig();
    expect(fuses.version).toBe(FuseVersion.V1);
    expect(fuses.strictlyRequireAllFuses).toBe(true);
    const set = fuses as unknown as Record<number, boolean>;
    expect(set[FuseV1Options.RunAsNode]).toBe(false);
    expect(set[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(set[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(set[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(set[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    const numericFuses = Object.values(FuseV1Options).filter((v) => typeof v === 'number');
    for (const fuse of numericFuses) expect(typeof set[fuse]).toBe('boolean');
  });

  it('flips the fuses of the binary for each platform', () => {
    const packager = { appInfo: { productFilename: 'Hourglass' } };
    const at = (electronPlatformName: string) =>
      packedBinary({ appOutDir: '/out', electronPlatformName, packager } as never);
    expect(at('darwin')).toBe('/out/Hourglass.app');
    expect(at('win32')).toBe('/out/Hourglass.exe');
    expect(at('linux')).toBe('/out/hourglass');
  });

  it('`npm run dist` stops with a one-line reason where the Electron runtime is missing', () => {
    let installed = false;
    try {
      const binary: unknown = require('electron');
      installed = typeof binary === 'string' && existsSync(binary);
    } catch {
      installed = false;
    }
    const reason = distBlocker();
    if (installed) return expect(reason).toBeNull();
    expect(reason).toMatch(/Electron runtime is not installed/);
    expect(reason).not.toContain('\n');
  });
});
