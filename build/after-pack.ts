/** The afterPack hook: flips the Electron fuses of the packed binary with `@electron/fuses`. */
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import type { AfterPackContext } from 'electron-builder';
import { electronBuilderConfig, electronFuses } from './electron-builder.config.ts';

/** Our fuse settings in `@electron/fuses` terms; every fuse set (`strictlyRequireAllFuses`). */
export function fuseConfig(): FuseV1Config {
  return {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    resetAdHocDarwinSignature: process.platform === 'darwin',
    [FuseV1Options.RunAsNode]: electronFuses.runAsNode,
    [FuseV1Options.EnableCookieEncryption]: electronFuses.enableCookieEncryption,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]:
      electronFuses.enableNodeOptionsEnvironmentVariable,
    [FuseV1Options.EnableNodeCliInspectArguments]: electronFuses.enableNodeCliInspectArguments,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]:
      electronFuses.enableEmbeddedAsarIntegrityValidation,
    [FuseV1Options.OnlyLoadAppFromAsar]: electronFuses.onlyLoadAppFromAsar,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]:
      electronFuses.loadBrowserProcessSpecificV8Snapshot,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]:
      electronFuses.grantFileProtocolExtraPrivileges,
  };
}

/** The packed Electron binary for the platform electron-builder just packed. */
export function packedBinary(
  context: Pick<AfterPackContext, 'appOutDir' | 'electronPlatformName' | 'packager'>,
): string {
  const name = context.packager.appInfo.productFilename;
  switch (context.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(context.appOutDir, `${name}.app`);
    case 'win32':
      return join(context.appOutDir, `${name}.exe`);
    default:
      return join(context.appOutDir, electronBuilderConfig.executableName);
  }
}

/** electron-builder calls this after packing, before signing and making installers. */
export async function afterPack(context: AfterPackContext): Promise<void> {
  await flipFuses(packedBinary(context), fuseConfig());
}
