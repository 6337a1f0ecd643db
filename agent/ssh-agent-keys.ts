/**
 * Keys `hourglass ssh --agent` put into a running ssh-agent: remembered per grant (public blobs
 * and the agent's socket, in `<dataDir>/ssh-agent-keys/<grant>.json`, 0600) so that wiping the
 * grant takes them out of that ssh-agent too. The lifetime given at add time covers the deadline;
 * this covers an early end (I'm done, a revoke by an approver, sign-out). Speaks the agent
 * protocol (draft-miller-ssh-agent: SSH_AGENTC_REMOVE_IDENTITY) directly; no secret is written.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { createKeyedLock } from './grant-secrets-support.ts';

const REMOVE_IDENTITY = 18;
const SUCCESS = 6;
const TIMEOUT_MS = 3000;
const GRANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

const entrySchema = z.object({
  socket: z.string().min(1).max(4096),
  /** Base64 public key blobs (the key and its certificate), as the agent lists them. */
  blobs: z.array(z.string().regex(/^[A-Za-z0-9+/=]+$/)).max(8),
});
const fileSchema = z.array(entrySchema).max(16);

/** One ssh-agent holding a grant's key. */
export type SshAgentEntry = z.infer<typeof entrySchema>;

const fileOf = (dataDir: string, grantId: string): string | null =>
  GRANT_ID.test(grantId) ? join(dataDir, 'ssh-agent-keys', `${grantId}.json`) : null;

function readEntries(path: string): SshAgentEntry[] {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const lock = createKeyedLock();

/**
 * Runs `run` once every earlier ssh-agent operation on `grantId`'s keys has settled: a renewal
 * after an extension never re-adds keys a wipe is taking out (it then finds none remembered).
 */
export const withGrantSshAgents = <T>(
  dataDir: string,
  grantId: string,
  run: () => Promise<T>,
): Promise<T> => lock(join(dataDir, grantId), run);

/** Records that `grantId`'s key was added to the ssh-agent at `entry.socket`. */
export function rememberSshAgentKey(dataDir: string, grantId: string, entry: SshAgentEntry): void {
  const path = fileOf(dataDir, grantId);
  if (!path) return;
  mkdirSync(join(dataDir, 'ssh-agent-keys'), { recursive: true, mode: 0o700 });
  const others = readEntries(path).filter((e) => e.socket !== entry.socket);
  writeFileSync(path, JSON.stringify([...others, entry]), { mode: 0o600 });
}

/** An agent-protocol string: its length, then its bytes. */
export function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** An agent-protocol message of `type` with `body`. */
export function agentMessage(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + body.length, 0);
  head.writeUInt8(type, 4);
  return Buffer.concat([head, body]);
}

const frame = (type: number, blob: Buffer): Buffer => agentMessage(type, sshString(blob));

/**
 * Sends agent-protocol messages to the ssh-agent at `socket`; answers its replies (type byte and
 * body each), fewer when it stops answering (gone, or no answer within 3 s).
 */
export function exchangeWithSshAgent(
  socket: string,
  messages: readonly Buffer[],
): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const conn = connect(socket);
    const finish = () => {
      conn.destroy();
      resolve(replies);
    };
    conn.setTimeout(TIMEOUT_MS, finish);
    conn.on('error', finish);
    conn.on('close', finish);
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 4 + pending.readUInt32BE(0)) {
        replies.push(pending.subarray(4, 4 + pending.readUInt32BE(0)));
        pending = pending.subarray(4 + pending.readUInt32BE(0));
      }
      if (replies.length >= messages.length) finish();
    });
    if (messages.length === 0) finish();
    else conn.write(Buffer.concat([...messages]));
  });
}

/** How many replies are SSH_AGENT_SUCCESS. */
export const successes = (replies: readonly Buffer[]): number =>
  replies.filter((r) => r.readUInt8(0) === SUCCESS).length;

/** Asks the ssh-agent at `socket` to drop each blob; answers how many it dropped. */
export const removeFromSshAgent = async (socket: string, blobs: readonly Buffer[]) =>
  successes(
    await exchangeWithSshAgent(
      socket,
      blobs.map((b) => frame(REMOVE_IDENTITY, b)),
    ),
  );

/** The ssh-agents remembered as holding `grantId`'s keys. */
export function sshAgentEntries(dataDir: string, grantId: string): SshAgentEntry[] {
  const path = fileOf(dataDir, grantId);
  return path ? readEntries(path) : [];
}

/** Takes `grantId`'s keys out of every ssh-agent they were added to; answers how many went. */
export function removeSshAgentKeys(dataDir: string, grantId: string): Promise<number> {
  const path = fileOf(dataDir, grantId);
  if (!path) return Promise.resolve(0);
  return withGrantSshAgents(dataDir, grantId, async () => {
    let removed = 0;
    for (const entry of readEntries(path))
      removed += await removeFromSshAgent(
        entry.socket,
        entry.blobs.map((b) => Buffer.from(b, 'base64')),
      );
    rmSync(path, { force: true });
    return removed;
  });
}
