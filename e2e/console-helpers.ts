/** Shared e2e steps: a profile's agent + console on the demo stack, and signing in through the IdP tab. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { startConsoleServer, type ConsoleServer } from '../agent/console/console-server.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import type { DemoStack } from '../demo/stack.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';

/** One user's side: their own profile, agent, data dir and console server. */
export interface ProfileSide {
  profile: string;
  agent: RunningAgent;
  console: ConsoleServer;
  close(): Promise<void>;
}

/** Starts an agent for `profile` (own data dir and keychain items) and its console. */
export async function startProfile(
  stack: DemoStack,
  root: string,
  profile: string,
): Promise<ProfileSide> {
  const dataDir = join(root, profile);
  const agent = await startAgent(
    agentConfigForStack(stack, dataDir, { profile, warnBeforeSeconds: [5], minExportSeconds: 0 }),
    { reconnectBaseDelayMs: 100 },
  );
  const consoleServer = await startConsoleServer({
    api: agent.handlers,
    staticDir: join(process.cwd(), 'dist', 'renderer'),
    subscribe: (listener) => agent.subscribe(listener),
  });
  return {
    profile,
    agent,
    console: consoleServer,
    async close() {
      await consoleServer.close();
      await agent.close();
    },
  };
}

/** Opens the console at a fresh one-time URL and signs `login` in through the IdP tab. */
export async function signIn(page: Page, side: ProfileSide, issuer: string, login: string) {
  await page.goto(side.console.newUrl());
  await expect(page.getByTestId('demo-badge')).toHaveText('DEMO');
  // The bootstrap token leaves the address bar as soon as the page has read it.
  expect(new URL(page.url()).hash).toBe('');
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const idp = await popupOpened;
  await idp.waitForURL((url) => url.href.startsWith(issuer));
  await idp.locator('input[name="login"]').fill(login);
  await idp.locator('input[name="password"]').fill('demo');
  await idp.getByRole('button', { name: 'Sign in' }).click();
  await idp.getByRole('button', { name: 'Allow' }).click();
  await idp.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
  // RFC 8252: the callback page shows neither the code nor a token.
  expect(await idp.content()).not.toMatch(/code=|eyJ/);
  await idp.close();
  await expect(page.getByTestId('signed-in-user')).toContainText(new RegExp(login, 'i'));
}

/** Seconds shown by a countdown like `14:59` or `1:02:03`. */
export function secondsOf(countdown: string): number {
  return countdown
    .trim()
    .split(':')
    .map(Number)
    .reduce((total, part) => total * 60 + part, 0);
}

/** Every Secret Service item under service `hourglass`, as `secret-tool` prints it. */
export function keychainItems(): string {
  return execFileSync('secret-tool', ['search', '--all', 'service', 'hourglass'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The window's views, as the navigation names them in its links. */
export type ViewName = 'active' | 'request' | 'approvals' | 'history' | 'roles' | 'settings';

/** Goes to `view` through its navigation link and waits until it shows. */
export async function goTo(page: Page, view: ViewName): Promise<void> {
  await page.locator(`nav[aria-label="Views"] a[data-view-link="${view}"]`).click();
  await expect(page.locator(`#view-${view}`)).toBeVisible();
}
