/** Opens the system browser (never an embedded one, RFC 8252 §8.12): `$BROWSER`, else the OS opener. */
import { spawn } from 'node:child_process';

/**
 * Commands to try for `url`, xdg-style: `$BROWSER` is a `:`-separated list of commands, each split on
 * whitespace, with `%s` replaced by the URL (appended when absent). Pure.
 */
export function browserCommands(
  url: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string[][] {
  const fromEnv = (env.BROWSER ?? '')
    .split(':')
    .map((entry) => entry.trim().split(/\s+/).filter(Boolean))
    .filter((argv) => argv.length > 0)
    .map((argv) =>
      argv.some((a) => a.includes('%s'))
        ? argv.map((a) => a.replaceAll('%s', url))
        : [...argv, url],
    );
  if (fromEnv.length > 0) return fromEnv;
  if (platform === 'darwin') return [['open', url]];
  if (platform === 'win32') return [['rundll32', 'url.dll,FileProtocolHandler', url]];
  return [['xdg-open', url]];
}

function trySpawn(argv: string[]): Promise<boolean> {
  const [command, ...args] = argv;
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** Opens `url` in the system browser; answers whether some command could be started. */
export async function openBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  for (const argv of browserCommands(url, env, process.platform)) {
    if (await trySpawn(argv)) return true;
  }
  return false;
}
