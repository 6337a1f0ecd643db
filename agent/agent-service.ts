/** The agent's handlers: one function per `agentContract` method, each answering a Result. */
import type { AgentHandlers } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { BrokerClient } from './broker-client.ts';
import type { Clock } from './clock.ts';
import type { CurrentUser } from './current-user.ts';
import type { DeadlineScheduler } from './deadline-scheduler.ts';
import { createGrantActions } from './grant-actions.ts';
import type { GrantStore } from './grant-store.ts';
import type { Vault } from './keychain.vault.ts';
import type { LoginFlow } from './login/login-flow.ts';
import type { Session } from './session.ts';

/** Everything the handlers are built from; the host wires the real ones. */
export interface AgentServiceDeps {
  info: { brokerUrl: string; issuer: string; demo: boolean; minExportSeconds: number };
  clock: Clock;
  broker: BrokerClient;
  session: Session;
  user: CurrentUser;
  login: LoginFlow;
  vault: Vault;
  store: GrantStore;
  scheduler: DeadlineScheduler;
}

/** Creates the agent handlers. */
export function createAgentService(deps: AgentServiceDeps): AgentHandlers {
  const { info, clock, broker, session, user, login, vault, store, scheduler } = deps;
  const brokerNow = () => new Date(clock.now() + broker.clockOffsetMs()).toISOString();
  return {
    async getStatus() {
      const base = { brokerUrl: info.brokerUrl, issuer: info.issuer, demo: info.demo };
      const token = await session.accessToken();
      if (!token.ok) {
        if (token.error.code !== 'not_logged_in') return token;
        return ok({ ...base, now: brokerNow(), loggedIn: false, user: null });
      }
      const me = user.cached() ?? (await user.fetch().then((r) => (r.ok ? r.value : null)));
      return ok({ ...base, now: brokerNow(), loggedIn: true, user: me });
    },
    beginLogin: (input) => login.begin(input),
    async awaitLogin({ loginId }) {
      const me = await login.wait(loginId);
      return me.ok ? ok({ user: me.value }) : me;
    },
    async logout() {
      await session.end();
      user.clear();
      const accounts = await vault.accounts();
      if (!accounts.ok) return accounts;
      let wiped = 0;
      for (const account of accounts.value) {
        const removed = await vault.remove(account);
        if (!removed.ok) return removed;
        if (account.startsWith('grant:')) wiped += 1;
      }
      for (const record of store.list())
        if (record.wipedAt === null) await scheduler.wipe(record.id);
      return ok({ wiped });
    },
    async listRoles() {
      const roles = await broker.listRoles();
      return roles.ok ? ok({ now: roles.value.now, roles: roles.value.roles }) : roles;
    },
    ...createGrantActions({
      broker,
      vault,
      store,
      scheduler,
      clock,
      minExportSeconds: info.minExportSeconds,
    }),
  };
}
