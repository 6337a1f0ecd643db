/**
 * The console demo: IdP + broker + headless agent + the renderer served as a local console
 * (loopback only, random token). `npm start` runs this when the Electron runtime cannot load.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConsoleServer } from '../agent/console/console-server.ts';
import { startAgent } from '../agent/host.ts';
import {
  profileDataDirs,
  signalHeadlessAgents,
  stopHeadlessAgent,
} from '../agent/instance-lock-holder.ts';
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
  const child = spawn(
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
      // Its own process group: dbus-run-session dies on a signal without passing it on, so the
      // signal goes to the whole group and reaches the demo inside.
      detached: true,
      env: { ...process.env, HOURGLASS_DEMO_KEYRING: '1', KEYRING_HOME: keyringHome },
    },
  );
  const group = -(child.pid ?? 0);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      try {
        process.kill(group, signal);
      } catch {
        // The group is gone already.
      }
    });
  // The demo inside may still be stopping its agents when dbus-run-session ends: wait for it.
  child.on('exit', (code) => void groupGone(group, 10_000).then(() => process.exit(code ?? 1)));
  return true;
}

/** Resolves once no process of `group` is left, or after `ms`. */
async function groupGone(group: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops the headless agents of every profile under the demo's data dir (best effort, said). */
async function stopDemoAgents(baseDir: string): Promise<void> {
  for (const dir of profileDataDirs(baseDir)) {
    const stopped = await stopHeadlessAgent(dir);
    if (!stopped.ok) console.error(`hourglass demo: ${stopped.error.message}`);
    else if (stopped.value !== null)
      console.log(
        `hourglass demo: stopped an agent left from an earlier run (pid ${stopped.value})`,
      );
  }
}

async function main(): Promise<void> {
  if (reexecWithDemoKeyring()) return;
  const staticDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) {
    console.error('hourglass demo: the renderer is not built; run `npm run build:renderer` first');
    process.exit(1);
  }
  const demo = await startDemo(process.env, {
    targets: process.env.HOURGLASS_DEMO_TARGETS !== '0',
  });
  // Agents from an earlier run hold that run's ports: stop them before this run's agent starts.
  await stopDemoAgents(demo.agentConfig.dataDir);
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(demo.agentConfig, { host: 'demo' });
  } catch (error) {
    console.error(
      `hourglass demo: ${error instanceof Error ? error.message : 'the agent failed to start'}`,
    );
    await demo.stack.close();
    process.exit(1);
  }
  const consoleServer = await startConsoleServer({
    api: agent.handlers,
    staticDir,
    subscribe: (listener) => agent.subscribe(listener),
  });
  // `hourglass console` asks the agent (over its 0600 socket) for a fresh single-use URL.
  agent.attachConsole(() => consoleServer.newUrl());
  console.log(`hourglass demo [DEMO]: IdP ${demo.stack.issuer}  broker ${demo.stack.brokerUrl}`);
  console.log(
    'hourglass demo: users alice (engineer), bob (approver), carol (auditor); password "demo"',
  );
  if (demo.homeOverride) {
    console.log(`hourglass demo: for the CLI, first: export HOURGLASS_HOME=${demo.homeOverride}`);
  }
  for (const note of demo.notes) console.log(`hourglass demo: ${note}`);
  console.log(
    'hourglass demo: try: eval "$(hourglass env prod-orders-readonly)" && psql -c \'select count(*) from orders\'',
  );
  console.log('hourglass demo: CLI: node bin/hourglass.js status');
  console.log(`hourglass demo: open the console: ${consoleServer.url}`);
  console.log('hourglass demo: another tab or browser: `hourglass console` prints a fresh URL');
  let stopping = false;
  const stop = async (): Promise<void> => {
    // Ctrl-C reaches this process and `npm start` (which forwards it): stop once.
    if (stopping) return;
    stopping = true;
    // First and synchronously: other code may exit the process on the same signal (the embedded
    // database's exit hook does), and on-demand agents must not outlive the demo's ports.
    signalHeadlessAgents(profileDataDirs(demo.agentConfig.dataDir));
    agent.attachConsole(null);
    await consoleServer.close();
    await agent.close();
    // On-demand agents the CLI started for other profiles would keep this run's dead ports.
    await stopDemoAgents(demo.agentConfig.dataDir);
    await demo.stack.close();
    console.log('hourglass demo: stopped; no agent left running');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
}

await main();
