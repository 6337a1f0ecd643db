/** electron-builder configuration: targets, app id, icons, the hourglass:// protocol, what is packed. */
import type { Configuration } from 'electron-builder';

/**
 * Electron fuses set after packing by `build/after-pack.ts` with `@electron/fuses`.
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

/** The packaging config (fuses are flipped by the afterPack hook the dist script adds). */
export const electronBuilderConfig = {
  appId: 'dev.hourglass.desktop',
  productName: 'Hourglass',
  executableName: 'hourglass',
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
  icon: 'assets/icon.png',
  // Links from runbooks and chat (`hourglass://request?role=…`) open the app.
  protocols: [{ name: 'Hourglass request link', schemes: ['hourglass'] }],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Utility',
    mimeTypes: ['x-scheme-handler/hourglass'],
  },
  deb: { depends: ['libsecret-1-0', 'gnome-keyring | kwalletmanager'] },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
  },
  dmg: { sign: false },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false },
} satisfies Configuration;

export default electronBuilderConfig;
