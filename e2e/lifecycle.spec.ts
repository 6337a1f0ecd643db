/**
 * The grant lifecycle across two people, live: alice asks for the approval-gated role, bob (his
 * own profile, agent, console and browser context) sees it within 2 s without reloading and
 * approves; alice's countdown appears, she extends, then ends it with "I'm done"; the secret is
 * gone from the keychain and the broker's audit holds the wipe receipt.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { startDemoStack, type DemoStack } from '../demo/stack.ts';
import {
  goTo,
  keychainItems,
  secondsOf,
  signIn,
  startProfile,
  type ProfileSide,
} from './console-helpers.ts';

const reason = '<img src=x onerror=window.__xss=1> rotate the signing key';

let root: string;
let stack: DemoStack;
let alice: ProfileSide;
let bob: ProfileSide;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hg-e2e-lifecycle-'));
  stack = await startDemoStack({ dataDir: join(root, 'stack') });
  // Profile names of their own: keychain items are keyed by profile, and earlier suites in the
  // same keyring (the CLI's two-profile test) use `alice` and `bob`.
  const run = randomBytes(3).toString('hex');
  alice = await startProfile(stack, root, `e2e-alice-${run}`);
  bob = await startProfile(stack, root, `e2e-bob-${run}`);
});

test.afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await stack?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

test('request → approve in another profile → countdown → extend → I’m done → wiped with a receipt', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const aliceContext = await browser.newContext();
  const bobContext = await browser.newContext();
  const alicePage = await aliceContext.newPage();
  const bobPage = await bobContext.newPage();
  const pageErrors: string[] = [];
  for (const page of [alicePage, bobPage]) page.on('pageerror', (e) => pageErrors.push(e.message));
  await signIn(alicePage, alice, stack.issuer, 'alice');
  await signIn(bobPage, bob, stack.issuer, 'bob');
  await goTo(bobPage, 'approvals');
  await expect(bobPage.getByTestId('approvals')).toContainText('Nothing waiting');

  // Alice asks for the approval-gated role; the window then shows it waiting in Active.
  await goTo(alicePage, 'request');
  await alicePage.getByLabel('Role', { exact: true }).selectOption('prod-api-admin');
  await alicePage.getByLabel('Duration', { exact: true }).fill('15m');
  await alicePage.getByLabel('Reason', { exact: true }).fill(reason);
  await alicePage.getByLabel('Ticket', { exact: true }).fill('INC-1');
  await alicePage.getByRole('button', { name: 'Request' }).click();
  const pending = alicePage.locator('[data-testid="pending-grant"][data-role="prod-api-admin"]');
  await expect(pending.getByTestId('pending-approvers')).toHaveText(
    '0 of 1 approval from approvers',
  );
  await expect(pending.getByTestId('pending')).toHaveText(/request expires in 29:\d\d$/);
  const grantId = await pending.getAttribute('data-grant-id');
  expect(grantId).toBeTruthy();
  await shot(alicePage, '1-alice-pending');

  // Bob sees it in his inbox within 2 s, without reloading.
  const approval = bobPage.locator(`[data-testid="approval"][data-grant-id="${grantId}"]`);
  await expect(approval).toBeVisible({ timeout: 2_000 });
  await expect(approval).toContainText('prod-api-admin');
  await expect(approval).toContainText('INC-1');
  await expect(approval.getByTestId('approval-reason')).toHaveText(reason);
  await expect(
    bobPage.locator('[data-testid="notice"][data-kind="approval_needed"]'),
  ).toBeVisible();
  await shot(bobPage, '2-bob-approvals');

  // Self-approval is refused, and nothing changes.
  const self = await alice.agent.handlers.approveGrant({ grantId: grantId! });
  expect(self.ok).toBe(false);
  if (!self.ok) expect(self.error.code).toBe('not_approver');
  await expect(pending).toBeVisible();

  await approval.getByLabel('Comment').fill('ok for INC-1');
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(approval).toHaveCount(0);

  // Alice's countdown appears without reloading.
  const grant = alicePage.locator(`[data-testid="grant"][data-grant-id="${grantId}"]`);
  const countdown = grant.getByTestId('countdown');
  await expect(countdown).toBeVisible({ timeout: 5_000 });
  await expect(pending).toHaveCount(0);
  const before = secondsOf(await countdown.innerText());
  expect(before).toBeGreaterThan(14 * 60);
  expect(before).toBeLessThanOrEqual(15 * 60);
  await expect(grant.getByTestId('export-command')).toHaveText(
    `in keychain · eval "$(hourglass env --profile ${alice.profile} prod-api-admin)"`,
  );
  expect(keychainItems()).toContain(grantId!);
  // The "approved" notice shows in the page (the browser Notification needs a permission click).
  const approvedNotice = alicePage.locator('[data-testid="notice"][data-kind="approved"]');
  await expect(approvedNotice).toBeVisible();
  await expect(grant).not.toHaveClass(/selected/);
  await shot(alicePage, '3-alice-active');

  // Asking again for a role she holds offers Extend on that grant instead of a duplicate.
  await goTo(alicePage, 'request');
  await alicePage.getByLabel('Role', { exact: true }).selectOption('prod-api-admin');
  await alicePage.getByLabel('Reason', { exact: true }).fill('again');
  await alicePage.getByLabel('Ticket', { exact: true }).fill('INC-1');
  await alicePage.getByRole('button', { name: 'Request' }).click();
  await expect(alicePage.getByTestId('request-error')).toBeVisible();
  await alicePage.getByTestId('extend-instead').click();
  // The offer opens the view showing that grant.
  await expect(alicePage.locator('#view-active')).toBeFocused();
  await expect(grant).toHaveClass(/selected/);
  await expect(alicePage.getByTestId('extend-instead')).toHaveCount(0);
  await expect(alicePage.locator('[data-testid="pending-grant"]')).toHaveCount(0);

  // She extends by 30m (counted from now): the countdown jumps.
  await grant.getByRole('button', { name: 'Extend by 30m' }).click();
  await expect
    .poll(async () => secondsOf(await countdown.innerText()), { timeout: 5_000 })
    .toBeGreaterThan(29 * 60);
  await shot(alicePage, '4-alice-extended');

  // "I'm done": the grant ends, the secret is wiped, the receipt reaches the broker.
  await grant.getByRole('button', { name: "I'm done" }).click();
  await expect(grant).toHaveCount(0);
  await goTo(alicePage, 'history');
  const row = alicePage.locator(`[data-testid="history-grant"][data-grant-id="${grantId}"]`);
  await expect(row.getByTestId('history-status')).toHaveText('revoked');
  await expect(row.getByTestId('history-wipe')).toHaveAttribute('data-wipe', 'wiped', {
    timeout: 10_000,
  });
  await expect(row.getByTestId('history-wipe')).toHaveText(/^wiped at /);
  await expect(row).toContainText('approved by Bob');
  await shot(alicePage, '5-alice-history');
  expect(keychainItems()).not.toContain(grantId!);

  const db = new Database(join(root, 'stack', 'broker.sqlite'), { readonly: true });
  try {
    const receipts = db
      .prepare("SELECT event, details FROM audit WHERE grant_id = ? AND event = 'wiped'")
      .all(grantId) as { event: string; details: string }[];
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.details).toContain('keychain');
  } finally {
    db.close();
  }
  // A pending request its requester cancels leaves bob's inbox live and lands in History.
  await goTo(alicePage, 'request');
  await alicePage.getByLabel('Role', { exact: true }).selectOption('prod-api-admin');
  await alicePage.getByLabel('Reason', { exact: true }).fill('second look');
  await alicePage.getByLabel('Ticket', { exact: true }).fill('INC-2');
  await alicePage.getByRole('button', { name: 'Request' }).click();
  const second = alicePage.locator('[data-testid="pending-grant"][data-role="prod-api-admin"]');
  const secondId = await second.getAttribute('data-grant-id');
  const secondApproval = bobPage.locator(`[data-testid="approval"][data-grant-id="${secondId}"]`);
  await expect(secondApproval).toBeVisible({ timeout: 2_000 });
  await second.getByRole('button', { name: 'Cancel request' }).click();
  await expect(second).toHaveCount(0);
  await expect(secondApproval).toHaveCount(0, { timeout: 2_000 });
  await goTo(alicePage, 'history');
  const cancelled = alicePage.locator(`[data-testid="history-grant"][data-grant-id="${secondId}"]`);
  await expect(cancelled.getByTestId('history-status')).toHaveText('cancelled');
  await expect(cancelled.getByTestId('history-wipe')).toHaveText('no credential was issued');

  // Injected markup in the reason rendered as text on both sides and never ran.
  for (const page of [alicePage, bobPage]) {
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
  }
  expect(pageErrors).toEqual([]);
  await aliceContext.close();
  await bobContext.close();
});
