/** Account handlers: status, sign-in, sign-out, roles, the snapshot and recheck. */
import type { AgentHandlers, AgentHost, AgentStatus, WipeTrigger } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { probeVault } from './doctor-keychain.ts';
import type { LoginFlow } from './login/login-flow.ts';
import type { GrantDeps } from './grant-deps.ts';
import { settleFetches } from './grant-credentials.ts';
import { syncWithBroker } from './grant-sync.ts';
import type { LiveConnection } from './live-connection.ts';
import type { Session } from './session.ts';
import { holdsSecret } from './snapshot-merge.ts';

/** Who this agent is, for the status. */
export interface AgentInfo {
  brokerUrl: string;
  issuer: string;
  demo: boolean;
  profile: string;
  /** What runs this agent, when its host said (the doctor names it from this). */
  host?: AgentHost;
}

/** What the account handlers need. */
export interface SessionActionDeps {
  info: AgentInfo;
  grants: GrantDeps;
  session: Session;
  login: LoginFlow;
  live: LiveConnection;
  signedIn: { get(): boolean; set(value: boolean): void };
  /** Opens the system browser (logout: the IdP's page with the ID token as `id_token_hint`). */
  openBrowser: (url: string) => Promise<boolean>;
}

type SessionHandlers = Pick<
  AgentHandlers,
  | 'getStatus'
  | 'beginLogin'
  | 'awaitLogin'
  | 'logout'
  | 'listRoles'
  | 'getSnapshot'
  | 'recheck'
  | 'checkKeychain'
>;

/** The status as the snapshot shows it (no I/O). */
export function localStatus(deps: SessionActionDeps, now: string): AgentStatus {
  const user = deps.signedIn.get() ? deps.grants.user.cached() : null;
  return { ...deps.info, now, loggedIn: deps.signedIn.get(), user };
}

/**
 * After a sign-in: a different subject than the one whose secrets this device holds means those
 * secrets go first (receipt trigger `subject_changed`), then the stream starts for the new user.
 */
export async function onSignedIn(deps: SessionActionDeps, subject: string): Promise<void> {
  const g = deps.grants;
  const others = g.store
    .list()
    .filter((r) => r.subject !== null && r.subject !== subject && holdsSecret(r));
  const ids = others.map((r) => r.id);
  if (ids.length > 0) await wipeHeld(g, ids, 'subject_changed');
  g.hub.clearBrokerView();
  deps.signedIn.set(true);
  deps.live.stop();
  deps.live.start();
  g.hub.changed();
}

/** Wipes `ids` together (one write per bucket item) and sends their receipts; answers how many went. */
async function wipeHeld(
  g: GrantDeps,
  ids: readonly string[],
  trigger: WipeTrigger,
): Promise<number> {
  const gone = await g.scheduler.wipeMany(ids, trigger);
  g.hub.changed();
  for (const id of gone) void g.receipts.send(id).then(() => g.hub.changed());
  return gone.size;
}

async function endActiveGrants(g: GrantDeps): Promise<number> {
  const listed = await g.broker.listGrants();
  if (!listed.ok) return 0;
  let ended = 0;
  for (const grant of listed.value.grants.filter((x) => x.status === 'active')) {
    const revoked = await g.broker.revokeGrant(grant.id, { reason: 'signed out' });
    if (revoked.ok) ended += 1;
  }
  return ended;
}

/** Creates the account handlers. */
export function createSessionActions(deps: SessionActionDeps): SessionHandlers {
  const g = deps.grants;
  const brokerNow = () => new Date(g.clock.now() + g.store.offsetMs()).toISOString();
  return {
    async getStatus() {
      const token = await deps.session.accessToken();
      if (!token.ok) {
        if (token.error.code !== 'not_logged_in') return token;
        return ok({ ...deps.info, now: brokerNow(), loggedIn: false, user: null });
      }
      const me = g.user.cached() ?? (await g.user.fetch().then((r) => (r.ok ? r.value : null)));
      return ok({ ...deps.info, now: brokerNow(), loggedIn: true, user: me });
    },
    async beginLogin(input) {
      // Before any sign-in URL: a sign-in whose session cannot be kept must not be started, so a
      // keychain this agent cannot reach fails now, with its fix, and the IdP is never contacted.
      const keychain = await probeVault(g.vault);
      if (keychain.status === 'fail')
        return fail(
          'unavailable',
          `${keychain.detail}, so no sign-in was started; Hourglass never stores secrets elsewhere.${keychain.fix ? ` ${keychain.fix}` : ''}`,
        );
      return deps.login.begin(input);
    },
    checkKeychain: () => probeVault(g.vault).then(ok),
    async awaitLogin({ loginId }) {
      const me = await deps.login.wait(loginId);
      return me.ok ? ok({ user: me.value }) : me;
    },
    async logout({ endGrants, openBrowser }) {
      // No new event may start a fetch, and one in flight lands before the wipe, not after it.
      deps.live.stop();
      await settleFetches(g.store);
      const grantsEnded = endGrants ? await endActiveGrants(g) : 0;
      const held = g.store
        .list()
        .filter(holdsSecret)
        .map((r) => r.id);
      let wiped = held.length > 0 ? await wipeHeld(g, held, 'logout') : 0;
      // Receipts go while the session still works; what fails stays queued for the next sign-in.
      await g.receipts.flush();
      const ended = await deps.session.end();
      // The ID token goes only to the browser the agent opens, never into the answer (printed).
      if (openBrowser && ended.browserUrl) await deps.openBrowser(ended.browserUrl);
      g.user.clear();
      g.hub.clearBrokerView();
      deps.signedIn.set(false);
      // Then every grant secret left (ones the store lost track of), then every other item.
      const rest = await g.secrets.removeAll();
      if (!rest.ok) return rest;
      wiped += rest.value;
      const accounts = await g.vault.accounts();
      if (!accounts.ok) return accounts;
      for (const account of accounts.value) {
        const removed = await g.vault.remove(account);
        if (!removed.ok) return removed;
      }
      g.hub.changed();
      return ok({
        wiped,
        grantsEnded,
        endSessionUrl: ended.endSessionUrl,
        idpRevocation: ended.revocation,
      });
    },
    async listRoles() {
      const roles = await g.broker.listRoles();
      return roles.ok ? ok({ now: roles.value.now, roles: roles.value.roles }) : roles;
    },
    getSnapshot: () => Promise.resolve(ok(g.hub.current())),
    async recheck() {
      const before = new Set(
        g.store
          .list()
          .filter(holdsSecret)
          .map((r) => r.id),
      );
      await g.scheduler.rearm();
      deps.live.reconnect();
      if (deps.signedIn.get()) await syncWithBroker(g);
      const wiped = [...before].filter((id) => !holdsSecret(g.store.get(id))).length;
      g.hub.changed();
      return ok({ wiped });
    },
  };
}
