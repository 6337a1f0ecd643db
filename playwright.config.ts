import { defineConfig } from '@playwright/test';

/** Chromium flags for this machine: no sandbox as root, no background network (closed network). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    trace: 'off',
    launchOptions: {
      executablePath: process.env.HOURGLASS_CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
  },
});
