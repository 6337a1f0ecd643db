/**
 * Test support: the demo stack with its config written as `npm start` writes it, and the real CLI
 * binary run per profile (each profile starts its own headless agent on demand).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCredentials } from '@napi-rs/keyring';
import { profileDataDir } from '../agent/config.ts';
import { grantSecretsInItems } from '../agent/grant-secrets-layout.ts';
import { dataDirAccountPrefix } from '../agent/keychain-scope.ts';
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import type { DemoSetup } from '../demo/demo-setup.ts';
import { startDemo } from '../demo/demo-setup.ts';

const BIN = new URL('../bin/hourglass.js', import.meta.url).pathname;

/** One CLI run's outcome. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The demo stack and a base dir whose profiles all point at it. */
export interface ProfileHarness {
  demo: DemoSetup;
  base: string;
  env: NodeJS.ProcessEnv;
  /** Runs `hourglass --profile <profile> …args`. */
  cli(profile: string, ...args: string[]): Promise<CliRun>;
  /** Starts a CLI run and answers its outcome promise plus a live view of its stderr. */
  spawnCli(
    profile: string,
    ...args: string[]
  ): { done: Promise<CliRun>; stderr: () => string; kill: (signal: NodeJS.Signals) => void };
  /** Signs `user` (password demo) in on `profile` through the IdP and the loopback callback. */
  login(profile: string, user: string): Promise<CliRun>;
  close(): Promise<void>;
}

/** Polls `check` every 20 ms until it answers a value or `ms` pass (then throws `what`). */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `secret-tool search --all service hourglass`, with the secrets themselves dropped. */
export function keychainListing(): string {
  const run = spawnSync('secret-tool', ['search', '--all', 'service', 'hourglass'], {
    encoding: 'utf8',
  });
  return `${run.stdout}${run.stderr}`.replace(/^secret = .*$/gm, '');
}

/**
 * Every item of the keychain service (default `hourglass`), with their secrets: for assertions
 * only. Retried: an agent of another test deleting an item mid-search fails that search.
 */
export function keychainItems(service = 'hourglass'): Array<{ account: string; password: string }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return findCredentials(service);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** The keychain account prefix of `profile` under base dir `base` (its data dir's own names). */
export const profileItemPrefix = (base: string, profile: string): string =>
  dataDirAccountPrefix(profileDataDir(base, profile), profile, { HOME: process.env.HOME });

/** `profile`'s grant secret for `grantId` in the keychain (in its deadline bucket item), or null. */
export const grantSecretOf = (base: string, profile: string, grantId: string): string | null =>
  grantSecretsInItems(keychainItems(), profileItemPrefix(base, profile)).get(grantId) ?? null;

/** Whether the keychain holds `profile`'s secret for `grantId`. */
export const holdsItem = (base: string, profile: string, grantId: string): boolean =>
  grantSecretOf(base, profile, grantId) !== null;

/** Waits for the sign-in URL a `login --no-browser` prints on stderr and signs `user` in at the IdP. */
export async function answerSignIn(stderr: () => string, user: string): Promise<void> {
  const url = await waitFor(
    'the sign-in URL',
    () => /sign in:\n\s+(\S+)\n/.exec(stderr())?.[1],
    20_000,
  );
  const { callbackUrl } = await completeIdpLogin(url, { login: user, password: 'demo' });
  await fetch(callbackUrl);
}

/**
 * The environment a CLI under test runs in: this run's PATH, HOME and session bus (its
 * gnome-keyring), the data dir `home`, and a named zone so text output is the same on every box.
 */
export function cliTestEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOURGLASS_HOME: home,
    TZ: 'Europe/Berlin',
    ...extra,
  };
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR'])
    if (process.env[name]) env[name] = process.env[name];
  return env;
}

/** Starts the demo stack under a fresh base dir (config.json written there, as `npm start` does). */
export async function startProfileHarness(): Promise<ProfileHarness> {
  const base = join(mkdtempSync(join(tmpdir(), 'hg-profiles-')), 'hourglass');
  const env = cliTestEnv(base);
  const demo = await startDemo(env);
  const profiles = new Set<string>();
  const spawnCli = (profile: string, ...args: string[]) => {
    profiles.add(profile);
    let stderr = '';
    let stdout = '';
    const child = spawn(process.execPath, [BIN, '--profile', profile, ...args], {
      env,
      cwd: tmpdir(),
    });
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<CliRun>((resolve) =>
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
    );
    return { done, stderr: () => stderr, kill: (signal: NodeJS.Signals) => child.kill(signal) };
  };
  const cli = (profile: string, ...args: string[]) =>
    new Promise<CliRun>((resolve) => {
      profiles.add(profile);
      execFile(
        process.execPath,
        [BIN, '--profile', profile, ...args],
        { env, cwd: tmpdir() },
        (error, stdout, stderr) => {
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            stdout,
            stderr,
          });
        },
      );
    });
  return {
    demo,
    base,
    env,
    cli,
    spawnCli,
    async login(profile, user) {
      const run = spawnCli(profile, 'login', '--no-browser');
      await answerSignIn(run.stderr, user);
      return run.done;
    },
    async close() {
      for (const profile of profiles) {
        const pidFile = join(base, 'profiles', profile, 'agent.pid');
        if (!existsSync(pidFile)) continue;
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
      await demo.stack.close();
    },
  };
}
