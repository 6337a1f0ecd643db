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
import { signIn, startProfile, type ProfileSide } from './console-helpers.ts';

const views = ['active', 'request', 'approvals', 'history', 'roles', 'settings'] as const;
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

/** Checks and photographs every view of `page` in light and dark. */
async function checkViews(page: Page, who: string, only: readonly string[] = views) {
  for (const scheme of schemes) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const view of only) {
      const section = page.locator(`#view-${view}`);
      await section.scrollIntoViewIfNeeded();
      expect(await seriousViolations(page, `#view-${view}`), `${who} ${view} ${scheme}`).toEqual(
        [],
      );
      await section.screenshot({ path: test.info().outputPath(`${who}-${view}-${scheme}.png`) });
    }
    expect(await seriousViolations(page, 'body'), `${who} whole page ${scheme}`).toEqual([]);
    await page.screenshot({
      path: test.info().outputPath(`${who}-window-${scheme}.png`),
      fullPage: true,
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('every view: no serious a11y violation, screenshots light and dark, keyboard navigation', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const alicePage = await (await browser.newContext()).newPage();
  const bobPage = await (await browser.newContext()).newPage();
  await signIn(alicePage, alice, stack.issuer, 'alice');
  await signIn(bobPage, bob, stack.issuer, 'bob');

  // Something in every view: an active grant, a pending request (bob's inbox), an ended grant.
  const form = alicePage.locator('#view-request');
  // The default role is the least privileged one, not the first in the alphabet.
  await expect(form.getByLabel('Role', { exact: true })).toHaveValue('prod-api-readonly');
  await expect(form.getByTestId('role-policy')).toContainText('Up to 1h');
  await form.getByRole('button', { name: '15m' }).click();
  await expect(form.getByLabel('Duration', { exact: true })).toHaveValue('15m');
  await form.getByLabel('Reason', { exact: true }).fill('INC-5 views');
  await form.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(alicePage.getByTestId('grant')).toHaveCount(1);
  // The form clears the reason once the request answered; fill the next one after that.
  await expect(form.getByLabel('Reason', { exact: true })).toHaveValue('');
  await form.getByLabel('Role', { exact: true }).selectOption('prod-api-admin');
  await form.getByLabel('Duration', { exact: true }).fill('30m');
  await form.getByLabel('Reason', { exact: true }).fill('INC-6 schema change');
  await form.getByLabel('Ticket', { exact: true }).fill('INC-6');
  await form.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(alicePage.getByTestId('pending-grant')).toHaveCount(1);
  await expect(bobPage.getByTestId('approval')).toHaveCount(1);

  // Roles search narrows the list.
  await alicePage.getByLabel('Search roles').fill('admin');
  await expect(alicePage.locator('.role')).toHaveCount(1);
  await alicePage.getByLabel('Search roles').fill('');

  // Keyboard: Tab reaches the view links; Enter moves focus into that view.
  await alicePage.keyboard.press('Tab');
  let tabs = 0;
  while (
    tabs++ < 10 &&
    !(await alicePage.evaluate(() => document.activeElement?.textContent === 'History'))
  )
    await alicePage.keyboard.press('Tab');
  await alicePage.keyboard.press('Enter');
  await expect(alicePage.locator('#view-history')).toBeFocused();

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
  await expect(page.locator('#view-history')).toHaveCount(1);
});
