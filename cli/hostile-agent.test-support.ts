/**
 * A hostile stand-in for everything behind the CLI: a real local API server on a unix socket whose
 * handlers answer what an older or hostile broker (or IdP) would send through the agent — free
 * text full of terminal escapes. The contracts let such text through on the way out (they check
 * shape, not content), so the CLI must make it safe itself (issue 18, finding 4).
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  existsSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentHandlers, LocalGrant } from '../protocol/index.ts';
import { fail, ok } from '../protocol/index.ts';
import { startLocalApiServer, type LocalApiServer } from '../agent/local-api.server.ts';
import { localGrantFixture, snapshotFixture } from '../agent/test-support.ts';

/**
 * Set the window title, clear the screen, colour, CR and LF each followed by a forged line, an
 * OSC 52 clipboard write, a C1 CSI, DEL, and a right-to-left override.
 */
export const HOSTILE =
  '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\rapproved by security\napproved by security' +
  '\u001b]52;c;Y3VybCBldmlsfHNo\u0007\u009b2J\u007f\u202etxt.exe\u2066';

/** Any raw character a terminal would act on (newline aside: the CLI's own lines) or bidi. */
export const RAW_CONTROL =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const now = '2030-01-01T00:00:00.000Z';

/** A grant whose every free-text field is hostile. */
export function hostileGrant(over: Partial<LocalGrant> = {}): LocalGrant {
  return localGrantFixture({
    id: 'g_hostile',
    role: 'prod-api-admin',
    subject: `mallory${HOSTILE}`,
    status: 'pending',
    reason: HOSTILE,
    ticket: `INC-1${HOSTILE}`,
    requesterName: `Mallory${HOSTILE}`,
    approverGroups: [`approvers${HOSTILE}`],
    approvalsRequired: 1,
    activatedAt: null,
    expiresAt: null,
    requestExpiresAt: '2030-01-01T00:10:00.000Z',
    approvals: [{ by: `idp#eve${HOSTILE}`, byName: `Eve${HOSTILE}`, at: now, comment: HOSTILE }],
    ...over,
  });
}

/** The hostile grant once denied, with a hostile deny comment and approver. */
export const deniedGrant = () =>
  hostileGrant({
    status: 'denied',
    endedAt: now,
    endedBy: `idp#bob${HOSTILE}`,
    endReason: HOSTILE,
  });

function hostileSnapshot() {
  const snapshot = snapshotFixture(
    [
      hostileGrant(),
      hostileGrant({
        id: 'g_active',
        status: 'active',
        expiresAt: '2030-01-01T00:05:00.000Z',
        activatedAt: now,
      }),
    ],
    [
      {
        kind: 'request',
        grant: hostileGrant(),
        durationSeconds: 600,
        waitsUntil: '2030-01-01T00:10:00.000Z',
      },
    ],
  );
  snapshot.status.user = {
    subject: `mallory${HOSTILE}`,
    issuer: `https://idp${HOSTILE}`,
    name: `Mallory${HOSTILE}`,
    email: `m@corp${HOSTILE}`,
    groups: [],
  };
  snapshot.status.brokerUrl = `https://broker${HOSTILE}`;
  return snapshot;
}

/** Handlers answering hostile text; `sshHost` is what the broker names as the ssh target. */
function hostileHandlers(sshHost: () => string): AgentHandlers {
  const snapshot = hostileSnapshot();
  const answer = <T>(value: T) => Promise.resolve(ok(value));
  const refuse = () => Promise.resolve(fail('not_approver', `no: ${HOSTILE}`));
  return {
    getStatus: () => answer(snapshot.status),
    beginLogin: refuse,
    awaitLogin: refuse,
    logout: refuse,
    listRoles: () =>
      answer({
        now,
        roles: [
          {
            name: 'prod-api-admin',
            description: HOSTILE,
            provider: 'jwt' as const,
            maxDurationSeconds: 600,
            approvalsRequired: 1,
            approverGroups: [`approvers${HOSTILE}`],
            reasonRequired: true,
            tenant: HOSTILE,
            extension: { maxCount: 1, maxTotalSeconds: 600, requiresApproval: false },
          },
        ],
      }),
    requestGrant: () => answer({ grant: hostileGrant() }),
    // Raw in the fragment: a URL parser accepts it, the terminal must not receive it.
    newConsoleUrl: () => answer({ url: `http://127.0.0.1:1/#token=${HOSTILE}` }),
    listGrants: () => answer({ now, grants: snapshot.grants }),
    exportGrant: () =>
      answer({
        script: JSON.stringify({
          HOURGLASS_SSH_PRIVATE_KEY: 'not-a-real-key',
          HOURGLASS_SSH_CERTIFICATE: 'not-a-real-certificate',
          HOURGLASS_SSH_HOST: sshHost(),
          HOURGLASS_SSH_PORT: '2222',
        }),
        expiresAt: '2099-01-01T00:00:00.000Z',
      }),
    getSnapshot: () => answer(snapshot),
    extendGrant: refuse,
    revokeGrant: refuse,
    cancelGrant: refuse,
    listApprovals: () => answer({ now, approvals: snapshot.approvals }),
    approveGrant: refuse,
    denyGrant: () => answer({ grant: deniedGrant() }),
    recheck: () => answer({ wiped: 0 }),
    checkKeychain: () => answer({ status: 'ok' as const, detail: 'reachable and unlocked' }),
  };
}

/** A running hostile agent stand-in, and a fake `ssh` that records its arguments. */
export interface HostileAgent {
  /** The CLI environment: this agent's data dir and the fake `ssh` first on PATH. */
  env: NodeJS.ProcessEnv;
  /** The arguments the fake `ssh` was run with, or null when it never ran. */
  sshArgs(): string[] | null;
  setSshHost(host: string): void;
  close(): Promise<void>;
}

/** Starts the stand-in on a fresh socket. */
export async function startHostileAgent(): Promise<HostileAgent> {
  const base = mkdtempSync(join(tmpdir(), 'hg-hostile-'));
  const bin = join(base, 'bin');
  mkdirSync(bin);
  const sshLog = join(base, 'ssh-args');
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${sshLog}'\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
  let host = 'db.internal';
  const server: LocalApiServer | null = await startLocalApiServer(
    hostileHandlers(() => host),
    join(base, 'home', 'agent.sock'),
    // Every watcher learns at once that the hostile request was denied, with a hostile comment.
    (listener) => {
      listener({ type: 'snapshot', snapshot: { ...hostileSnapshot(), grants: [deniedGrant()] } });
      return () => {};
    },
  ).then((started) => (started.ok ? started.value : null));
  if (!server) throw new Error('the hostile agent stand-in did not start');
  return {
    env: { HOURGLASS_HOME: join(base, 'home'), PATH: `${bin}:${process.env.PATH ?? ''}` },
    sshArgs: () => (existsSync(sshLog) ? readFileSync(sshLog, 'utf8').trimEnd().split('\n') : null),
    setSshHost: (value) => (host = value),
    close: () => server.close(),
  };
}
