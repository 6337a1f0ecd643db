/** Wires the agent: keychain, IdP session, broker client, grant store, deadlines and the local API. */
import { dirname } from 'node:path';
import type { AgentHandlers } from '../protocol/index.ts';
import { createAgentService } from './agent-service.ts';
import { createBrokerClient } from './broker-client.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { AgentConfig } from './config.ts';
import { createCurrentUser } from './current-user.ts';
import type { DeadlineEvent } from './deadline-scheduler.ts';
import { startDeadlineScheduler } from './deadline-scheduler.ts';
import { ensurePrivateDir, openGrantStore } from './grant-store.ts';
import { createKeychainVault } from './keychain.vault.ts';
import { acquireInstanceLock } from './instance-lock.ts';
import { startLocalApiServer } from './local-api.server.ts';
import { createLoginFlow } from './login/login-flow.ts';
import { createOidcConnection } from './login/oidc-connection.ts';
import { openBrowser } from './login/open-browser.ts';
import { createSession } from './session.ts';

/** Optional hooks for the host process (tray, notifications). */
export interface AgentHooks {
  onDeadlineEvent?: (event: DeadlineEvent) => void;
  clock?: Clock;
  /** Keychain service name (default `hourglass`); lets parallel test agents not share items. */
  keychainService?: string;
  /** Serve the local API socket (default true). */
  serveLocalApi?: boolean;
}

/** A running agent. */
export interface RunningAgent {
  handlers: AgentHandlers;
  close(): Promise<void>;
}

/** Starts the agent for `config`: what Electron main and `hourglass agent` call. */
export async function startAgent(
  config: AgentConfig,
  hooks: AgentHooks = {},
): Promise<RunningAgent> {
  const serve = hooks.serveLocalApi !== false;
  if (serve) ensurePrivateDir(dirname(config.socketPath));
  const lock = serve ? acquireInstanceLock(`${config.socketPath}.lock`) : null;
  if (lock && !lock.ok) throw new Error(lock.error.message);
  const clock = hooks.clock ?? systemClock;
  const vault = createKeychainVault(hooks.keychainService);
  const store = openGrantStore(config.dataDir);
  const oidc = createOidcConnection(config);
  const session = createSession({ oidc, vault, clock, audience: config.brokerAudience });
  const broker = createBrokerClient({
    brokerUrl: config.brokerUrl,
    accessToken: () => session.accessToken(),
    clock,
    onClockOffset: (offsetMs) => store.setOffsetMs(offsetMs),
  });
  const user = createCurrentUser(broker);
  const login = createLoginFlow({
    oidc,
    session,
    audience: config.brokerAudience,
    fetchMe: () => user.fetch(),
    openBrowser: (url) => openBrowser(url),
  });
  const scheduler = await startDeadlineScheduler({
    store,
    vault,
    clock,
    warnBeforeSeconds: config.warnBeforeSeconds,
    onEvent: hooks.onDeadlineEvent,
  });
  const handlers = createAgentService({
    info: {
      brokerUrl: config.brokerUrl,
      issuer: config.issuer,
      demo: config.demo,
      minExportSeconds: config.minExportSeconds,
    },
    clock,
    broker,
    session,
    user,
    login,
    vault,
    store,
    scheduler,
  });
  const server = serve ? await startLocalApiServer(handlers, config.socketPath) : null;
  if (server && !server.ok) {
    scheduler.stop();
    if (lock?.ok) lock.value.release();
    throw new Error(server.error.message);
  }
  return {
    handlers,
    async close() {
      login.cancel();
      scheduler.stop();
      if (server?.ok) await server.value.close();
      if (lock?.ok) lock.value.release();
    },
  };
}
