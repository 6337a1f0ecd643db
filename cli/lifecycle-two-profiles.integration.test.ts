import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGrant, PendingApproval } from '../protocol/index.ts';
import type { ProfileHarness } from './profile-harness.ts';
import {
  grantSecretOf,
  holdsItem as holdsItemIn,
  keychainListing,
  profileItemPrefix,
  startProfileHarness,
  waitFor,
} from './profile-harness.ts';

// Real IdP + broker (demo stack, as `npm start` writes its config) + gnome-keyring + the real CLI
// binary; alice and bob each on their own profile, each with an agent started on demand.

const json = <T>(text: string): T => JSON.parse(text) as T;
describe('the grant lifecycle through the CLI, with two profiles', () => {
  let h: ProfileHarness;
  const secretOf = (profile: string, grantId: string) =>
    grantSecretOf(h.base, profile, grantId) ?? '';
  const holdsItem = (profile: string, grantId: string) => holdsItemIn(h.base, profile, grantId);

  beforeAll(async () => {
    h = await startProfileHarness();
    expect(await h.login('alice', 'alice')).toMatchObject({ code: 0, stdout: /Signed in as/ });
    expect(await h.login('bob', 'bob')).toMatchObject({ code: 0, stdout: /Signed in as/ });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('each profile is its own user', async () => {
    const alice = json<{ status: { user: { subject: string }; profile: string } }>(
      (await h.cli('alice', 'status', '--json')).stdout,
    );
    const bob = json<{ status: { user: { subject: string }; profile: string } }>(
      (await h.cli('bob', 'status', '--json')).stdout,
    );
    expect(alice.status).toMatchObject({ profile: 'alice', user: { subject: 'alice' } });
    expect(bob.status).toMatchObject({ profile: 'bob', user: { subject: 'bob' } });
  });

  it('request → bob approves (not alice) → active over the stream → extend → "I\'m done" → wiped with a receipt', async () => {
    const waiting = h.spawnCli(
      'alice',
      'request',
      'prod-api-admin',
      '--for',
      '10m',
      '--reason',
      'INC-7 fix the cache',
      '--ticket',
      'INC-7',
      '--wait',
      '--json',
    );
    const approval = await waitFor("the request in bob's approvals", async () => {
      const run = await h.cli('bob', 'approvals', '--json');
      return json<{ approvals: PendingApproval[] }>(run.stdout).approvals.find(
        (a) => a.grant.role === 'prod-api-admin' && a.grant.subject === 'alice',
      );
    });
    const grantId = approval.grant.id;
    expect(approval).toMatchObject({ kind: 'request', durationSeconds: 600 });
    expect(approval.grant).toMatchObject({ ticket: 'INC-7', approverGroups: ['approvers'] });

    // The requester never approves her own request.
    const self = await h.cli('alice', 'approve', grantId);
    expect(self.code).toBe(4);
    expect(self.stderr).toMatch(/^hourglass: .+/);
    expect(holdsItem('alice', grantId)).toBe(false);

    const approved = await h.cli('bob', 'approve', grantId, '--comment', 'go ahead');
    expect(approved).toMatchObject({ code: 0, stdout: new RegExp(`grant ${grantId} approved`) });
    // alice's agent learns it from the event stream (nobody polls) and fetches the credential.
    const decided = await waiting.done;
    expect(decided.code).toBe(0);
    const active = json<{ grant: LocalGrant }>(decided.stdout).grant;
    expect(active).toMatchObject({ id: grantId, status: 'active', credentialStored: true });
    expect(holdsItem('alice', grantId)).toBe(true);
    expect(holdsItem('bob', grantId)).toBe(false);
    const firstSecret = secretOf('alice', grantId);

    // A second request for the held role offers extend instead of a duplicate.
    const twice = await h.cli(
      'alice',
      'request',
      'prod-api-admin',
      '--for',
      '5m',
      '--reason',
      'again',
      '--ticket',
      'INC-7',
    );
    expect(twice.code).toBe(6);
    expect(twice.stderr).toMatch(
      new RegExp(
        `You already hold prod-api-admin \\(grant ${grantId}, \\d+m( \\d+s)? left \\(until `,
      ),
    );
    expect(twice.stderr).toContain('hourglass --profile alice extend prod-api-admin');

    const extended = await h.cli('alice', 'extend', 'prod-api-admin', '--for', '20m', '--json');
    expect(extended.code).toBe(0);
    const after = json<{ grant: LocalGrant }>(extended.stdout).grant;
    expect(after.id).toBe(grantId);
    expect(Date.parse(after.expiresAt ?? '')).toBeGreaterThan(
      Date.parse(active.expiresAt ?? '') + 5 * 60_000,
    );
    expect(holdsItem('alice', grantId)).toBe(true);
    const secondSecret = secretOf('alice', grantId);
    expect(secondSecret.length).toBeGreaterThan(20);
    expect(secondSecret).not.toBe(firstSecret);

    const done = await h.cli('alice', 'revoke', 'prod-api-admin', '--reason', "I'm done");
    expect(done).toMatchObject({ code: 0, stdout: /revoked.*credential wiped from this device/ });
    expect(holdsItem('alice', grantId)).toBe(false);
    const receipt = await waitFor('the wipe receipt at the broker', async () => {
      const run = await h.cli('alice', 'history', '--json');
      const grant = json<{ grants: LocalGrant[] }>(run.stdout).grants.find((g) => g.id === grantId);
      return grant?.wipeState === 'wiped' ? grant : undefined;
    });
    expect(receipt).toMatchObject({
      status: 'revoked',
      wipe: { trigger: 'done', items: ['keychain'] },
    });
    const status = await h.cli('alice', 'status');
    expect(status.stdout).toMatch(
      new RegExp(
        `prod-api-admin\\s+revoked\\s+-\\s+no\\s+${grantId}\\s+wiped (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d CES?T \\(receipt`,
      ),
    );
  }, 60_000);

  it("bob revokes alice's grant: her keychain item goes at once (prints the revoke→wipe time)", async () => {
    const asked = await h.cli(
      'alice',
      'request',
      'prod-api-admin',
      '--for',
      '10m',
      '--reason',
      'INC-8 look',
      '--ticket',
      'INC-8',
      '--json',
    );
    expect(asked.code).toBe(0);
    const grantId = json<{ grant: LocalGrant }>(asked.stdout).grant.id;
    expect((await h.cli('bob', 'approve', grantId)).code).toBe(0);
    await waitFor("the credential in alice's keychain", () =>
      holdsItem('alice', grantId) ? true : undefined,
    );

    const started = Date.now();
    const revoked = await h.cli('bob', 'revoke', grantId, '--reason', 'incident over');
    expect(revoked.code).toBe(0);
    await waitFor(
      "the wipe of alice's item",
      () => (holdsItem('alice', grantId) ? undefined : true),
      5000,
    );
    const ms = Date.now() - started;
    console.log(`revoke by bob → wipe on alice's device: ${ms} ms (CLI round trip included)`);
    const grant = await waitFor('the receipt', async () => {
      const run = await h.cli('alice', 'history', '--json');
      const g = json<{ grants: LocalGrant[] }>(run.stdout).grants.find((x) => x.id === grantId);
      return g?.wipeState === 'wiped' ? g : undefined;
    });
    expect(grant).toMatchObject({ status: 'revoked', wipe: { trigger: 'revoked' } });
  }, 60_000);

  it('a denied request ends --wait with exit 7 and the reason', async () => {
    const waiting = h.spawnCli(
      'alice',
      'request',
      'prod-api-admin',
      '--for',
      '5m',
      '--reason',
      'INC-9 try',
      '--ticket',
      'INC-9',
      '--wait',
    );
    const approval = await waitFor('the request', async () => {
      const run = await h.cli('bob', 'approvals', '--json');
      return json<{ approvals: PendingApproval[] }>(run.stdout).approvals.find(
        (a) => a.grant.reason === 'INC-9 try',
      );
    });
    expect(
      (await h.cli('bob', 'deny', approval.grant.id, '--reason', 'use prod-api-readonly')).code,
    ).toBe(0);
    const decided = await waiting.done;
    expect(decided.code).toBe(7);
    expect(decided.stdout).toContain('use prod-api-readonly');
    expect(waiting.stderr()).toContain('waiting for approval — approvers: approvers (0/1)');
  }, 60_000);

  it("alice cancels her pending request; it leaves bob's approvals", async () => {
    const asked = await h.cli(
      'alice',
      'request',
      'prod-api-admin',
      '--for',
      '5m',
      '--reason',
      'INC-10 maybe',
      '--ticket',
      'INC-10',
      '--json',
    );
    const grantId = json<{ grant: LocalGrant }>(asked.stdout).grant.id;
    const cancelled = await h.cli('alice', 'cancel', 'prod-api-admin');
    expect(cancelled).toMatchObject({ code: 0, stdout: new RegExp(`grant ${grantId} cancelled`) });
    const left = await h.cli('bob', 'approvals', '--json');
    expect(
      json<{ approvals: PendingApproval[] }>(left.stdout).approvals.map((a) => a.grant.id),
    ).not.toContain(grantId);
    const again = await h.cli('alice', 'cancel', grantId);
    expect(again.code).toBe(6);
  }, 60_000);

  it('logout wipes only that profile and hands back the IdP sign-out URL when offered', async () => {
    const asked = await h.cli(
      'bob',
      'request',
      'prod-api-readonly',
      '--for',
      '10m',
      '--reason',
      'bob reads',
      '--json',
    );
    const bobGrant = json<{ grant: LocalGrant }>(asked.stdout).grant.id;
    expect(holdsItem('bob', bobGrant)).toBe(true);
    const out = await h.cli('bob', 'logout', '--end-grants', '--json', '--no-browser');
    expect(out.code).toBe(0);
    const answer = json<{ wiped: number; grantsEnded: number; endSessionUrl: string }>(out.stdout);
    expect(answer).toMatchObject({ wiped: 1, grantsEnded: 1 });
    // RP-initiated logout at the IdP by client_id: the printed URL never carries the ID token
    // (issue 18, finding 11; the agent hands id_token_hint only to the browser it opens).
    const endSession = new URL(answer.endSessionUrl);
    expect(endSession.origin).toBe(new URL(h.demo.stack.issuer).origin);
    expect(endSession.searchParams.get('client_id')).toBeTruthy();
    expect(endSession.searchParams.has('id_token_hint')).toBe(false);
    expect(out.stdout + out.stderr).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    const ended = await h.cli('bob', 'status', '--json');
    expect(json<{ status: { loggedIn: boolean } }>(ended.stdout).status.loggedIn).toBe(false);
    // Bob's grant was ended at the broker too (logout --end-grants).
    expect(keychainListing()).not.toContain(
      `attribute.username = ${profileItemPrefix(h.base, 'bob')}`,
    );
    expect(holdsItem('bob', bobGrant)).toBe(false);
    const alice = await h.cli('alice', 'status', '--json');
    expect(json<{ status: { loggedIn: boolean } }>(alice.stdout).status.loggedIn).toBe(true);
  }, 60_000);
});
