/** A push from the agent lands in each feature's store; a stale one in none. */
import { describe, expect, it } from 'vitest';
import {
  aLocalGrant,
  aNotice,
  anApproval,
  aRole,
  aSnapshot,
  aStatus,
  at,
  t0,
} from '../test-fixtures.ts';
import { createAgentStores, routeNotice, routeSignedOut, routeSnapshot } from './agent-stores.ts';
import { rolesReceived } from './roles.ts';

type AnyStore = { subscribe(listener: () => void): () => void };
const each = (stores: object) => Object.entries(stores) as [string, AnyStore][];

describe('routing the agent’s pushes', () => {
  it('a snapshot goes to session, grants and approvals; signed out, the roles empty', () => {
    const stores = createAgentStores();
    stores.roles.setState((s) => rolesReceived(s, [aRole()]), true);
    const snap = aSnapshot({
      now: at(2),
      grants: [aLocalGrant({ id: 'a' })],
      approvals: [anApproval()],
    });
    expect(routeSnapshot(stores, snap, t0)).toBe(true);
    expect(stores.session.getState().offsetMs).toBe(2000);
    expect(stores.grants.getState().grants.map((g) => g.id)).toEqual(['a']);
    expect(stores.approvals.getState().approvals.map((a) => a.grant.id)).toEqual(['g9']);
    expect(stores.roles.getState().roles).toHaveLength(1);
    const out = aSnapshot({ version: 2, status: aStatus({ loggedIn: false, user: null }) });
    routeSnapshot(stores, out, t0);
    expect(stores.roles.getState().roles).toEqual([]);
  });

  it('a stale snapshot changes no store and notifies no subscriber', () => {
    const stores = createAgentStores();
    routeSnapshot(stores, aSnapshot({ version: 5, now: at(10) }), t0);
    let notified = 0;
    for (const [, store] of each(stores)) store.subscribe(() => notified++);
    expect(routeSnapshot(stores, aSnapshot({ version: 4, now: at(9), grants: [] }), t0)).toBe(
      false,
    );
    expect(notified).toBe(0);
  });

  it('a notice changes only the notices store', () => {
    const stores = createAgentStores();
    const changed: string[] = [];
    for (const [name, store] of each(stores)) store.subscribe(() => changed.push(name));
    routeNotice(stores, aNotice());
    expect(changed).toEqual(['notices']);
  });

  it('signing out empties every user-specific store', () => {
    const stores = createAgentStores();
    routeSnapshot(stores, aSnapshot({ grants: [aLocalGrant()], approvals: [anApproval()] }), t0);
    routeNotice(stores, aNotice());
    routeSignedOut(stores);
    expect(stores.grants.getState().grants).toEqual([]);
    expect(stores.approvals.getState().approvals).toEqual([]);
    expect(stores.notices.getState().notices).toEqual([]);
    expect(stores.session.getState().status?.loggedIn).toBe(false);
  });
});
