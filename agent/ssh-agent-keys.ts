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

/** Records that `grantId`'s key was added to the ssh-agent at `entry.socket`. */
export function rememberSshAgentKey(dataDir: string, grantId: string, entry: SshAgentEntry): void {
  const path = fileOf(dataDir, grantId);
  if (!path) return;
  mkdirSync(join(dataDir, 'ssh-agent-keys'), { recursive: true, mode: 0o700 });
  const others = readEntries(path).filter((e) => e.socket !== entry.socket);
  writeFileSync(path, JSON.stringify([...others, entry]), { mode: 0o600 });
}

function frame(type: number, blob: Buffer): Buffer {
  const out = Buffer.alloc(9 + blob.length);
  out.writeUInt32BE(5 + blob.length, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32BE(blob.length, 5);
  blob.copy(out, 9);
  return out;
}

/** Asks the ssh-agent at `socket` to drop each blob; answers how many it dropped. */
export function removeFromSshAgent(socket: string, blobs: readonly Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    let removed = 0;
    let answered = 0;
    let pending = Buffer.alloc(0);
    const conn = connect(socket);
    const finish = () => {
      conn.destroy();
      resolve(removed);
    };
    conn.setTimeout(TIMEOUT_MS, finish);
    conn.on('error', finish);
    conn.on('close', finish);
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 4 + pending.readUInt32BE(0)) {
        if (pending.readUInt8(4) === SUCCESS) removed += 1;
        pending = pending.subarray(4 + pending.readUInt32BE(0));
        answered += 1;
      }
      if (answered >= blobs.length) finish();
    });
    if (blobs.length === 0) finish();
    else conn.write(Buffer.concat(blobs.map((b) => frame(REMOVE_IDENTITY, b))));
  });
}

/** Takes `grantId`'s keys out of every ssh-agent they were added to; answers how many went. */
export async function removeSshAgentKeys(dataDir: string, grantId: string): Promise<number> {
  const path = fileOf(dataDir, grantId);
  if (!path) return 0;
  let removed = 0;
  for (const entry of readEntries(path))
    removed += await removeFromSshAgent(
      entry.socket,
      entry.blobs.map((b) => Buffer.from(b, 'base64')),
    );
  rmSync(path, { force: true });
  return removed;
}
