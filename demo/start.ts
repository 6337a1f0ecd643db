/**
 * The console demo: IdP + broker + headless agent + the renderer served as a local console
 * (loopback only, random token). `npm start` runs this when the Electron runtime cannot load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConsoleServer } from '../agent/console/console-server.ts';
import { startAgent } from '../agent/host.ts';
import { startDemo } from './demo-setup.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Headless boxes have no session bus, so no keychain. Hourglass never falls back to plaintext:
 * for the demo only, re-run inside a private D-Bus session with a demo gnome-keyring of its own.
 */
function reexecWithDemoKeyring(): boolean {
  if (process.env.DBUS_SESSION_BUS_ADDRESS || process.env.HOURGLASS_DEMO_KEYRING === '1') {
    return false;
  }
  const hasTools = ['dbus-run-session', 'gnome-keyring-daemon'].every(
    (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0,
  );
  if (!hasTools) {
    console.error(
      'hourglass demo: no session bus (DBUS_SESSION_BUS_ADDRESS unset) and no gnome-keyring to start one;\n' +
        '  install it: apt-get install gnome-keyring dbus, or run inside your desktop session',
    );
    process.exit(5);
  }
  const keyringHome = join(process.env.HOME ?? root, '.local', 'state', 'hourglass-demo-keyring');
  mkdirSync(keyringHome, { recursive: true, mode: 0o700 });
  console.log('hourglass demo: no session bus; using a private demo keyring for this run');
  const script =
    'echo -n demo | XDG_DATA_HOME="$KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"';
  const result = spawnSync(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      script,
      '_',
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, HOURGLASS_DEMO_KEYRING: '1', KEYRING_HOME: keyringHome },
    },
  );
  process.exit(result.status ?? 1);
}

async function main(): Promise<void> {
  if (reexecWithDemoKeyring()) return;
  const staticDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) {
    console.error('hourglass demo: the renderer is not built; run `npm run build:renderer` first');
    process.exit(1);
  }
  const demo = await startDemo(process.env);
  const agent = await startAgent(demo.agentConfig);
  const consoleServer = await startConsoleServer({
    api: agent.handlers,
    staticDir,
    subscribe: (listener) => agent.subscribe(listener),
  });
  console.log(`hourglass demo [DEMO]: IdP ${demo.stack.issuer}  broker ${demo.stack.brokerUrl}`);
  console.log(
    'hourglass demo: users alice (engineer), bob (approver), carol (auditor); password "demo"',
  );
  if (demo.homeOverride) {
    console.log(`hourglass demo: for the CLI, first: export HOURGLASS_HOME=${demo.homeOverride}`);
  }
  console.log('hourglass demo: CLI: node bin/hourglass.js status');
  console.log(`hourglass demo: open the console: ${consoleServer.url}`);
  const stop = async (): Promise<void> => {
    await consoleServer.close();
    await agent.close();
    await demo.stack.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}

await main();
