/**
 * Every view of the window against the live console: an axe-core check with no serious or critical
 * violation in light and dark mode, a screenshot of each view in both (test artifacts), keyboard
 * navigation, and the compact request window pre-filled by a `#request=` fragment (never submitted).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import { goTo, signIn, startProfile, type ProfileSide, type ViewName } from './console-helpers.ts';

const views: readonly ViewName[] = [
  'active',
  'request',
  'approvals',
  'history',
  'roles',
  'settings',
];
const schemes = ['light', 'dark'] as const;

let root: string;
let stack: DemoStack;
let alice: ProfileSide;
let bob: ProfileSide;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hg-e2e-views-'));
  stack = await startDemoStack({ dataDir: join(root, 'stack') });
  const run = randomBytes(3).toString('hex');
  alice = await startProfile(stack, root, `e2e-views-alice-${run}`);
  bob = await startProfile(stack, root, `e2e-views-bob-${run}`);
});

test.afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await stack?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Serious and critical axe violations inside `selector` (every view at once), as readable lines. */
async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include(selector).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
}

/** Checks and photographs every view of `page` in light and dark, going to each by its link. */
async function checkViews(page: Page, who: string, only: readonly ViewName[] = views) {
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const view of only) {
      await goTo(page, view);
      await expect(page.locator(`a[data-view-link="${view}"]`)).toHaveAttribute(
        'aria-current',
        'page',
      );
      // Only the current view is in the page.
      await expect(page.locator('[data-view]')).toHaveCount(1);
      expect(await seriousViolations(page, 'body'), `${who} ${view} ${scheme}`).toEqual([]);
      await page.screenshot({
        path: test.info().outputPath(`${who}-${view}-${scheme}.png`),
        fullPage: true,
      });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Fills and sends the request form (the window then shows Active). */
async function request(page: Page, role: string, duration: string, reason: string, ticket = '') {
  await goTo(page, 'request');
  const form = page.locator('#view-request');
  await form.getByLabel('Role', { exact: true }).selectOption(role);
  await form.getByLabel('Duration', { exact: true }).fill(duration);
  await form.getByLabel('Reason', { exact: true }).fill(reason);
  if (ticket) await form.getByLabel('Ticket', { exact: true }).fill(ticket);
  await form.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(page.locator('#view-active')).toBeVisible();
}

test('every view: no serious a11y violation, screenshots light and dark, keyboard navigation', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const alicePage = await (await browser.newContext()).newPage();
  const bobPage = await (await browser.newContext()).newPage();
  await signIn(alicePage, alice, stack.issuer, 'alice');
  await signIn(bobPage, bob, stack.issuer, 'bob');
  // The window opens on Active.
  await expect(alicePage.locator('[data-view]')).toHaveAttribute('data-view', 'active');

  // The default role is the least privileged one, not the first in the alphabet; presets fill.
  await goTo(alicePage, 'request');
  const form = alicePage.locator('#view-request');
  await expect(form.getByLabel('Role', { exact: true })).toHaveValue('prod-api-readonly');
  await expect(form.getByTestId('role-policy')).toContainText('Up to 1h');
  await form.getByRole('button', { name: '15m' }).click();
  await expect(form.getByLabel('Duration', { exact: true })).toHaveValue('15m');

  // Something in every view: an ended grant (History), an active one, a pending request (bob's inbox).
  await request(alicePage, 'prod-api-readonly', '15m', 'INC-4 first look');
  await alicePage.getByTestId('grant').getByRole('button', { name: "I'm done" }).click();
  await expect(alicePage.getByTestId('grant')).toHaveCount(0);
  await request(alicePage, 'prod-api-readonly', '15m', 'INC-5 views');
  await expect(alicePage.getByTestId('grant')).toHaveCount(1);
  await request(alicePage, 'prod-api-admin', '30m', 'INC-6 schema change', 'INC-6');
  const pending = alicePage.getByTestId('pending-grant');
  await expect(pending).toHaveCount(1);
  const pendingId = await pending.getAttribute('data-grant-id');
  const activeId = await alicePage.getByTestId('grant').getAttribute('data-grant-id');
  await goTo(bobPage, 'approvals');
  await expect(bobPage.getByTestId('approval')).toHaveCount(1);
  // The navigation says how many wait for bob's decision.
  await expect(bobPage.getByTestId('nav-badge-approvals')).toHaveText('1 waiting');

  // A draft survives a look at another view.
  await goTo(alicePage, 'request');
  await form.getByLabel('Reason', { exact: true }).fill('INC-7 half typed');
  await goTo(alicePage, 'roles');
  await goTo(alicePage, 'request');
  await expect(form.getByLabel('Reason', { exact: true })).toHaveValue('INC-7 half typed');

  // Roles search narrows the list.
  await goTo(alicePage, 'roles');
  await alicePage.getByLabel('Search roles').fill('admin');
  await expect(alicePage.locator('.role')).toHaveCount(1);
  await alicePage.getByLabel('Search roles').fill('');

  // Keyboard: Tab reaches the view links; Enter opens that view and moves focus into it.
  await alicePage.locator('body').focus();
  let tabs = 0;
  while (
    tabs++ < 12 &&
    !(await alicePage.evaluate(
      () => document.activeElement?.getAttribute('data-view-link') === 'history',
    ))
  )
    await alicePage.keyboard.press('Tab');
  await alicePage.keyboard.press('Enter');
  await expect(alicePage.locator('#view-history')).toBeFocused();
  expect(new URL(alicePage.url()).hash).toBe('#/history');
  await expect(alicePage.getByTestId('history-grant')).toHaveCount(1);
  // Back goes to the previous view (the routes are in the history).
  await alicePage.goBack();
  await expect(alicePage.locator('#view-roles')).toBeVisible();

  // "Open Hourglass on grant X" (a notification click, the tray): the view showing that grant.
  await alicePage.evaluate((id) => (window.location.hash = `#grant=${id}`), activeId);
  await expect(alicePage.locator(`#view-active [data-grant-id="${activeId}"]`)).toHaveClass(
    /selected/,
  );
  await bobPage.evaluate((id) => (window.location.hash = `#grant=${id}`), pendingId);
  await expect(bobPage.locator(`#view-approvals [data-grant-id="${pendingId}"]`)).toHaveClass(
    /selected/,
  );

  await checkViews(alicePage, 'alice');
  await checkViews(bobPage, 'bob', ['approvals']);
});

test('the compact request window is pre-filled from #request= and submits nothing', async ({
  browser,
}) => {
  const page = await (await browser.newContext()).newPage();
  // Alice's agent is signed in since the first test: a fresh console link is enough.
  await page.goto(alice.console.newUrl());
  await expect(page.getByTestId('signed-in-user')).toContainText(/alice/i);
  const grantCount = async () => {
    const listed = await alice.agent.handlers.listGrants({});
    return listed.ok ? listed.value.grants.length : -1;
  };
  const before = await grantCount();
  await page.evaluate(() => {
    window.location.hash =
      '#request=prod-api-admin&for=1800s&reason=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E%20deploy&ticket=INC-42';
  });
  const form = page.locator('.request-form');
  await expect(form.getByLabel('Role', { exact: true })).toHaveValue('prod-api-admin');
  await expect(form.getByLabel('Duration', { exact: true })).toHaveValue('30m');
  await expect(form.getByLabel('Reason', { exact: true })).toHaveValue(
    '<img src=x onerror=window.__xss=1> deploy',
  );
  await expect(form.getByLabel('Reason', { exact: true })).toBeFocused();
  await expect(form.getByLabel('Ticket', { exact: true })).toHaveValue('INC-42');
  await expect(page.locator('#view-history')).toHaveCount(0);
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await seriousViolations(page, 'body'), `request window ${scheme}`).toEqual([]);
    await page.screenshot({ path: test.info().outputPath(`request-window-${scheme}.png`) });
  }
  expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  expect(await grantCount()).toBe(before);
  await page.getByRole('button', { name: 'Open the full window' }).click();
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
  await goTo(page, 'history');
});
