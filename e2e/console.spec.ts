/**
 * The local console end to end: real demo IdP + broker, real agent (gnome-keyring on a private
 * D-Bus), the console server and the built renderer in headless Chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startConsoleServer, type ConsoleServer } from '../agent/console/console-server.ts';
import { startAgent, type RunningAgent } from '../agent/host.ts';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import { rendererCsp } from '../build/csp.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { goTo, secondsOf } from './console-helpers.ts';

const xssPayload = '<img src=x onerror=window.__xss=1>';

let root: string;
let stack: DemoStack;
let agent: RunningAgent;
let consoleServer: ConsoleServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hg-e2e-console-'));
  stack = await startDemoStack({ dataDir: join(root, 'stack') });
  const dataDir = join(root, 'agent');
  agent = await startAgent(
    agentConfigForStack(stack, dataDir, { warnBeforeSeconds: [5], minExportSeconds: 0 }),
  );
  consoleServer = await startConsoleServer({
    api: agent.handlers,
    staticDir: join(process.cwd(), 'dist', 'renderer'),
    subscribe: (listener) => agent.subscribe(listener),
  });
});

test.afterAll(async () => {
  await consoleServer?.close();
  await agent?.close();
  await stack?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(consoleServer.url);
  await expect(page.getByTestId('demo-badge')).toHaveText('DEMO');
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const idp = await popupOpened;
  await idp.waitForURL((url) => url.href.startsWith(stack.issuer));
  await idp.locator('input[name="login"]').fill('alice');
  await idp.locator('input[name="password"]').fill('demo');
  await idp.getByRole('button', { name: 'Sign in' }).click();
  await idp.getByRole('button', { name: 'Allow' }).click();
  await idp.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
  // RFC 8252: the callback page shows neither the code nor a token.
  expect(await idp.content()).not.toMatch(/code=|eyJ/);
  await idp.close();
}

test('sign in through the IdP tab, request a role, watch it count down; no XSS, no token in the DOM', async ({
  page,
}) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page);
  await expect(page.getByTestId('signed-in-user')).toContainText(/alice/i);

  await goTo(page, 'roles');
  const role = page.getByTestId('role-prod-api-readonly');
  await expect(role).toContainText('No approval needed');
  await expect(role).toContainText('1h');

  await goTo(page, 'request');
  await page.getByLabel('Role', { exact: true }).selectOption('prod-api-readonly');
  await page.getByLabel('Duration', { exact: true }).fill('20s');
  await page.getByLabel('Reason', { exact: true }).fill(xssPayload);
  await page.getByRole('button', { name: 'Request' }).click();

  const grant = page.locator('[data-testid="grant"][data-role="prod-api-readonly"]');
  await expect(grant).toBeVisible();
  await expect(grant).toContainText(xssPayload);
  // The grant offers the export command, never the secret itself.
  await expect(grant.getByTestId('export-command')).toHaveText(
    'in keychain · eval "$(hourglass env prod-api-readonly)"',
  );
  const countdown = grant.getByTestId('countdown');
  const first = secondsOf(await countdown.innerText());
  expect(first).toBeGreaterThan(0);
  expect(first).toBeLessThanOrEqual(20);
  // It counts down on its own: no reload, no poll of the agent.
  await expect.poll(async () => secondsOf(await countdown.innerText())).toBeLessThan(first);

  expect(
    await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss),
  ).toBeUndefined();
  expect(await page.locator('img').count()).toBe(0);

  const exported = await agent.handlers.exportGrant({ role: 'prod-api-readonly', shell: 'bash' });
  if (!exported.ok) throw new Error(`exportGrant failed: ${exported.error.code}`);
  const token = /eyJ[\w-]+\.[\w-]+\.[\w-]+/.exec(exported.value.script)?.[0];
  expect(token, 'the export script carries a JWT').toBeTruthy();
  const html = await page.content();
  const storage = await page.evaluate(
    () => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie,
  );
  expect(html.includes(token!)).toBe(false);
  expect(storage.includes(token!)).toBe(false);
  expect(pageErrors).toEqual([]);

  // An approval role waits as pending, showing how long the request may wait.
  await goTo(page, 'request');
  await page.getByLabel('Role', { exact: true }).selectOption('prod-api-admin');
  await page.getByLabel('Duration', { exact: true }).fill('15m');
  await page.getByLabel('Reason', { exact: true }).fill('schema fix');
  await page.getByLabel('Ticket', { exact: true }).fill('INC-77');
  await page.getByRole('button', { name: 'Request' }).click();
  const pending = page.locator('[data-testid="pending-grant"][data-role="prod-api-admin"]');
  await expect(pending.getByTestId('pending')).toHaveText(
    /^Pending approval · request expires in 29:\d\d$/,
  );

  // The grant drops out of the list once its deadline passes.
  await expect(grant).toHaveCount(0, { timeout: 30_000 });
});

test('a browser without a fresh link gets no session: a reused link and a bare URL are refused', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const stranger = await context.newPage();
  // The page shell is public code; everything behind it needs a session.
  await stranger.goto(consoleServer.url);
  await expect(stranger.getByTestId('status-error')).toContainText('no session');
  const bare = await context.newPage();
  await bare.goto(consoleServer.origin + '/');
  await expect(bare.getByTestId('status-error')).toContainText('no session');
  await context.close();
});

test('the built renderer has no inline script or style and carries the CSP meta', () => {
  const html = readFileSync(join(process.cwd(), 'dist', 'renderer', 'index.html'), 'utf8');
  expect(html).toContain(`content="${rendererCsp}"`);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|\sstyle="|\son[a-z]+=/);
});
