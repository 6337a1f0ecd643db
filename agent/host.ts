/** Wires the agent: keychain, IdP session, broker client and events, grants, deadlines, the local API. */
import { dirname, join } from 'node:path';
import type { AgentHandlers, AgentHost } from '../protocol/index.ts';
import { createAgentService } from './agent-service.ts';
import { createBrokerClient } from './broker-client.ts';
import type { Clock } from './clock.ts';
import { startAgentClock } from './clock-anchor.ts';
import type { AgentConfig } from './config.ts';
import { DEFAULT_PROFILE } from './config.ts';
import { createCurrentUser } from './current-user.ts';
import type { DeadlineEvent } from './deadline-scheduler.ts';
import { startDeadlineScheduler } from './deadline-scheduler.ts';
import type { GrantDeps } from './grant-deps.ts';
import { createGrantSecrets } from './grant-secrets.ts';
import type { GrantStore } from './grant-store.ts';
import { ensurePrivateDir, openGrantStore } from './grant-store.ts';
import { createKeychainVault, SESSION_ACCOUNT } from './keychain.vault.ts';
import { migrateSharedItems } from './keychain-migration.ts';
import { keychainScope, standardDataDir } from './keychain-scope.ts';
import { acquireInstanceLock } from './instance-lock.ts';
import { agentHolder, stopCommand } from './instance-lock-holder.ts';
import { createLiveConnection } from './live-connection.ts';
import { startLocalApiServer } from './local-api.server.ts';
import { createLoginFlow } from './login/login-flow.ts';
import { createOidcConnection } from './login/oidc-connection.ts';
import { openBrowser } from './login/open-browser.ts';
import type { SessionActionDeps } from './session-actions.ts';
import { localStatus, onSignedIn } from './session-actions.ts';
import { createSession, isSessionOf } from './session.ts';
import type { PushListener, SnapshotHub } from './snapshot-hub.ts';
import { createSnapshotHub } from './snapshot-hub.ts';
import { removeSshAgentKeys } from './ssh-agent-keys.ts';
import { renewSshAgentKeys, sshCertificateOf } from './ssh-agent-renew.ts';
import { startPromptStatusWriter } from './prompt-status-writer.ts';
import { createWipeReceipts } from './wipe-receipts.ts';

/** Optional hooks for the host process (tray, notifications). */
export interface AgentHooks {
  onDeadlineEvent?: (event: DeadlineEvent) => void;
  clock?: Clock;
  /** Keychain service name (default `hourglass`); lets parallel test agents not share items. */
  keychainService?: string;
  /** Serve the local API socket (default true). */
  serveLocalApi?: boolean;
  /** Base delay of the event stream's reconnect backoff (tests use a small one). */
  reconnectBaseDelayMs?: number;
  /** What runs this agent; its status says so (`hourglass doctor` names it). */
  host?: AgentHost;
}

/** A running agent. */
export interface RunningAgent {
  handlers: AgentHandlers;
  /**
   * Pushes of snapshots and notices, in-process (Electron main, the console server); the listener
   * gets the current snapshot at once. Answers the unsubscribe function.
   */
  subscribe(listener: PushListener): () => void;
  /**
   * Serves `hourglass console` from the console server running with this agent: `newUrl` mints a
   * fresh single-use URL; `null` detaches it (the console server stopped).
   */
  attachConsole(newUrl: (() => string) | null): void;
  close(): Promise<void>;
}

/** Starts the agent for `config`: what Electron main and `hourglass agent` call. */
export async function startAgent(
  config: AgentConfig,
  hooks: AgentHooks = {},
): Promise<RunningAgent> {
  const serve = hooks.serveLocalApi !== false;
  const profile = config.profile ?? DEFAULT_PROFILE;
  if (serve) ensurePrivateDir(dirname(config.socketPath));
  const lock = serve ? acquireInstanceLock(`${config.socketPath}.lock`) : null;
  if (lock && !lock.ok) throw new Error(lockedMessage(config.dataDir, profile, lock.error.message));
  // This data dir's items only: another data dir with the same profile has its own (keychain-scope.ts).
  const scope = keychainScope(config.dataDir, profile);
  const vault = createKeychainVault(hooks.keychainService, scope);
  const store = openGrantStore(config.dataDir);
  // Monotonic: a wall-clock jump neither delays nor advances a wipe (see clock.ts).
  const clock = hooks.clock ?? startAgentClock(config.dataDir);
  const secrets = createGrantSecrets({
    vault,
    brokerNow: () => clock.now() + store.offsetMs(),
    // A secret the store does not hold unwiped has no deadline anyone would honour: swept at start.
    keep: (grantId) => store.get(grantId)?.wipedAt === null,
  });
  const migrated = await migrateSharedItems({
    scope,
    dataDir: config.dataDir,
    standardDir: standardDataDir(profile, process.env),
    shared: createKeychainVault(hooks.keychainService, profile),
    own: vault,
    secrets,
    store,
    issuer: config.issuer,
    brokerNow: () => clock.now() + store.offsetMs(),
  });
  // Not fatal: the shared items stay where they were, and the migration runs again next start.
  if (!migrated.ok)
    process.stderr.write(`hourglass: keychain items not moved yet: ${migrated.error.message}\n`);
  const oidc = createOidcConnection(config);
  const session = createSession({
    oidc,
    vault,
    clock,
    audience: config.brokerAudience,
    audienceParameter: config.audienceParameter,
    issuer: config.issuer,
    // Shared with every process of this profile: one refresh per rotation (session-refresh-lock.ts).
    refreshLockPath: join(config.dataDir, 'refresh.lock'),
  });
  const broker = createBrokerClient({
    brokerUrl: config.brokerUrl,
    accessToken: async () => {
      const token = await session.accessToken();
      // The session ended under us (refresh token refused, or minted by another IdP): say
      // "signed out" rather than "signed in, offline", so the user is offered a sign-in.
      if (!token.ok && token.error.code === 'not_logged_in') signedIn = false;
      return token;
    },
    clock,
    onClockOffset: (offsetMs) => store.setOffsetMs(offsetMs),
  });
  const user = createCurrentUser(broker);
  pruneOldRecords(store, clock.now());
  const stored = await vault.read(SESSION_ACCOUNT);
  let signedIn = stored.ok && isSessionOf(stored.value, config.issuer);
  const info = {
    brokerUrl: config.brokerUrl,
    issuer: config.issuer,
    demo: config.demo,
    profile,
    ...(hooks.host ? { host: hooks.host } : {}),
  };
  // Filled in below; the hub reads the status lazily, after wiring is complete.
  let actionDeps: SessionActionDeps | null = null;
  const hub: SnapshotHub = createSnapshotHub({
    clock,
    store,
    warnBeforeSeconds: config.warnBeforeSeconds,
    status: (now) =>
      actionDeps ? localStatus(actionDeps, now) : { ...info, now, loggedIn: signedIn, user: null },
  });
  const receipts = createWipeReceipts({
    store,
    broker,
    currentSubject: () => user.cached()?.subject ?? null,
    onRecorded: (grant) => {
      hub.upsertBrokerGrant(grant);
      hub.changed();
    },
  });
  const scheduler = await startDeadlineScheduler({
    store,
    secrets,
    clock,
    warnBeforeSeconds: config.warnBeforeSeconds,
    onEvent: (event) => {
      hooks.onDeadlineEvent?.(event);
      // Warnings and wipes go through the notification planner with the next snapshot.
      hub.changed();
      if (event.kind === 'grantWiped') void receipts.send(event.grantId).then(() => hub.changed());
      // Keys `hourglass ssh --agent` put into an ssh-agent leave it with the grant.
      if (event.kind === 'grantWiped') void removeSshAgentKeys(config.dataDir, event.grantId);
    },
  });
  const grants: GrantDeps = {
    broker,
    vault,
    secrets,
    store,
    scheduler,
    clock,
    hub,
    user,
    receipts,
    minExportSeconds: config.minExportSeconds,
    signedInSubject: () => session.signedInSubject(),
    // An extension: keys `hourglass ssh --agent` put into an ssh-agent follow the new deadline.
    onCredentialReplaced: (grantId, { credential, sshPrivateKey, expiresAt }) => {
      const certificate = sshCertificateOf(credential);
      if (sshPrivateKey && certificate)
        void renewSshAgentKeys(
          config.dataDir,
          grantId,
          { privateKey: sshPrivateKey, certificate, expiresAt },
          clock.now() + store.offsetMs(),
        );
    },
  };
  const live = createLiveConnection({
    brokerUrl: config.brokerUrl,
    session,
    grants,
    baseDelayMs: hooks.reconnectBaseDelayMs,
  });
  const login = createLoginFlow({
    oidc,
    session,
    audience: config.brokerAudience,
    audienceParameter: config.audienceParameter,
    fetchMe: async () => {
      const me = await user.fetch();
      // The broker down: the ID token still says who signed in, so a different user's
      // secrets are wiped all the same (fail closed).
      const subject = me.ok ? me.value.subject : session.signedInSubject();
      if (subject !== null && actionDeps) await onSignedIn(actionDeps, subject);
      return me;
    },
    openBrowser: (url) => openBrowser(url),
  });
  const deps: SessionActionDeps = {
    openBrowser: (url) => openBrowser(url),
    info,
    grants,
    session,
    login,
    live,
    signedIn: {
      get: () => signedIn,
      set: (value) => {
        signedIn = value;
      },
    },
  };
  actionDeps = deps;
  let consoleUrl: (() => string) | null = null;
  const handlers = createAgentService({ ...deps, consoleUrl: () => consoleUrl?.() ?? null });
  if (signedIn) {
    live.start();
    void user.fetch().then(() => hub.changed());
  }
  hub.changed();
  const prompt = startPromptStatusWriter({
    path: join(config.dataDir, 'status'),
    subscribe: (listener) => subscribe(hub, listener),
    brokerNow: () => clock.now() + store.offsetMs(),
  });
  const server = serve
    ? await startLocalApiServer(handlers, config.socketPath, (listener) => subscribe(hub, listener))
    : null;
  if (server && !server.ok) {
    prompt.stop();
    live.stop();
    scheduler.stop();
    if (lock?.ok) lock.value.release();
    throw new Error(server.error.message);
  }
  return {
    handlers,
    subscribe: (listener) => subscribe(hub, listener),
    attachConsole(newUrl) {
      consoleUrl = newUrl;
    },
    async close() {
      consoleUrl = null;
      login.cancel();
      live.stop();
      scheduler.stop();
      prompt.stop();
      if (server?.ok) await server.value.close();
      if (lock?.ok) lock.value.release();
    },
  };
}

/** Why the agent cannot start while another holds the lock, with the command that stops it. */
function lockedMessage(dataDir: string, profile: string, fallback: string): string {
  const holder = agentHolder(dataDir);
  if (!holder) return fallback;
  return holder.headless
    ? `An agent is already running for profile "${profile}" (pid ${holder.pid}); stop it with \`${stopCommand(profile)}\` and retry`
    : `Hourglass is already running for profile "${profile}" in another app (pid ${holder.pid}); quit it (or \`kill ${holder.pid}\`) and retry`;
}

const KEEP_WIPED_MS = 24 * 60 * 60_000;

/** Forgets grants wiped over a day ago whose receipt is delivered: the broker has their history. */
function pruneOldRecords(store: GrantStore, now: number): void {
  for (const record of store.list()) {
    const wiped = record.wipedAt === null ? null : Date.parse(record.wipedAt);
    if (wiped !== null && record.receipt === null && now - wiped > KEEP_WIPED_MS)
      store.remove(record.id);
  }
}

/** Subscribes `listener` and hands it the current snapshot first. */
function subscribe(hub: SnapshotHub, listener: PushListener): () => void {
  const unsubscribe = hub.subscribe(listener);
  listener({ type: 'snapshot', snapshot: hub.current() });
  return unsubscribe;
}
