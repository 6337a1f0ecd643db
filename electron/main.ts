/**
 * Electron main entry: single instance, `hourglass://` links from the first command line,
 * `open-url` and second instances, then the app (`app-main.ts`). Never imports the demo.
 */
import { app, dialog } from 'electron';
import { runApp } from './app-main.ts';
import { registerAppScheme } from './app-protocol.ts';
import { deepLinkInArgv } from './deep-link.ts';
import { createLaunchQueue } from './launch-queue.ts';

registerAppScheme();
const launches = createLaunchQueue();

if (!app.requestSingleInstanceLock()) {
  // The first instance gets our argv through `second-instance` and opens the link there.
  app.quit();
} else {
  launches.push(deepLinkInArgv(process.argv));
  // macOS delivers links as `open-url`, possibly before `ready`; they wait in the queue.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    launches.push(url);
  });
  app.on('second-instance', (_event, argv) => launches.push(deepLinkInArgv(argv)));
  runApp(launches).catch((error: unknown) => {
    dialog.showErrorBox(
      'Hourglass failed to start',
      error instanceof Error ? error.message : 'unknown error',
    );
    app.quit();
  });
}
