/** Playwright global setup: build the renderer once so the console serves the current code. */
import { execFileSync } from 'node:child_process';

/** Runs `vite build` for renderer/ into dist/renderer. */
export default function globalSetup(): void {
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      stdio: 'inherit',
    },
  );
}
