/** electron-builder configuration: what is packaged and which Electron fuses are flipped. */

/**
 * Electron fuses, named as in `@electron/fuses` (FuseV1Options) and set at package time.
 * Off: running the binary as plain Node, NODE_OPTIONS, --inspect (each turns the signed app into
 * a general-purpose Node that can read the keychain items it is trusted for).
 * On: ASAR integrity, app code only from the ASAR, cookie encryption at rest.
 */
export const electronFuses = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
} as const;

/** The packaging config passed to electron-builder (`electron-builder --config build/electron-builder.config.ts`). */
export const electronBuilderConfig = {
  appId: 'dev.hourglass.desktop',
  productName: 'Hourglass',
  directories: { output: 'dist/packages', buildResources: 'assets' },
  extraMetadata: { main: 'dist/electron/main.mjs' },
  files: [
    'dist/electron/**',
    'dist/renderer/**',
    'assets/**',
    'package.json',
    '!**/*.test.*',
    '!**/*.map',
  ],
  asar: true,
  protocols: [{ name: 'Hourglass', schemes: ['hourglass'] }],
  linux: { target: ['AppImage', 'deb'], category: 'Utility' },
  mac: { category: 'public.app-category.developer-tools', hardenedRuntime: true },
  win: { target: ['nsis'] },
  electronFuses,
} as const;

export default electronBuilderConfig;
