/**
 * The witnesses a checkpoint is handed to after it is committed: an append-only file (O_APPEND,
 * 0600, each line chained to the one before by the checkpoint's signed `prev`), a webhook, and
 * stdout. Each is told every checkpoint in order; one that fails is retried with the next.
 */
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { checkpointDigest } from './checkpoint.ts';
import {
  parseWitness,
  witnessLine,
  type WitnessedCheckpoint,
  type WitnessLine,
} from './witness.ts';

/** One witness of the checkpoints. */
export interface CheckpointWitness {
  /** For messages: never a secret. */
  name: string;
  /** Keeps `checkpoint`; throws (naming the witness, never a secret) when it did not. */
  keep(checkpoint: WitnessedCheckpoint): Promise<void>;
  close(): void;
}

/** The lines a witness file holds now; none when it does not exist yet. */
export function readWitnessFile(path: string): WitnessLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`audit witness ${path}: cannot read it`);
  }
  const parsed = parseWitness(text, path);
  if (parsed.status === 'error') throw new Error(`audit witness ${parsed.message}`);
  return parsed.lines;
}

/**
 * Opens (or creates, 0600) the witness file for appending. Refused when others may write to it:
 * a witness anyone can edit proves nothing.
 */
export function openWitnessFile(path: string, tenant: string | undefined): CheckpointWitness {
  let last = readWitnessFile(path).at(-1);
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw new Error(
      `audit witness ${path}: cannot open it for appending (${(error as NodeJS.ErrnoException).code ?? 'failed'}); create its directory, writable only by the broker's user`,
    );
  }
  if ((statSync(path).mode & 0o022) !== 0) {
    closeSync(fd);
    throw new Error(
      `audit witness ${path}: writable by group or others; chmod 600 it (only the broker appends to it)`,
    );
  }
  return {
    name: `witness file ${path}`,
    keep(checkpoint) {
      if (last && checkpoint.seq <= last.seq) return Promise.resolve();
      // A checkpoint that does not follow the witnessed one means the database's checkpoints were
      // rewritten under the running broker: the witness keeps its chain and says so.
      if (
        last &&
        checkpoint.prev !== undefined &&
        checkpoint.prev !== checkpointDigest(last.signature)
      )
        return Promise.reject(
          new Error(
            `audit witness ${path}: checkpoint #${checkpoint.seq} does not follow the witnessed checkpoint #${last.seq}; the database's checkpoints were altered: run hourglass-broker audit verify --witness ${path}`,
          ),
        );
      const line = witnessLine(checkpoint, tenant);
      // One write of one line: O_APPEND keeps it whole and at the end.
      writeSync(fd, `${JSON.stringify(line)}\n`);
      fsyncSync(fd);
      last = line;
      return Promise.resolve();
    },
    close: () => closeSync(fd),
  };
}

/** One JSON line per checkpoint on `write` (stdout), for a log shipper. */
export function stdoutWitness(
  tenant: string | undefined,
  write: (line: string) => void = (line) => process.stdout.write(line),
): CheckpointWitness {
  return {
    name: 'witness stdout',
    keep(checkpoint) {
      write(`${JSON.stringify(witnessLine(checkpoint, tenant))}\n`);
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

const TIMEOUT_MS = 5000;

/**
 * A POST of each witness line, signed like the grant webhooks (`x-hourglass-timestamp`,
 * `x-hourglass-signature: sha256=HMAC(secret, "timestamp.body")`). Redirects are refused: a
 * redirect must not replay the signed body elsewhere.
 */
export function webhookWitness(
  hook: { url: string; secret?: string | undefined },
  tenant: string | undefined,
  now: () => Date,
): CheckpointWitness {
  const host = new URL(hook.url).host;
  return {
    name: `witness webhook ${host}`,
    async keep(checkpoint) {
      const body = JSON.stringify({
        event: 'audit_checkpoint',
        checkpoint: witnessLine(checkpoint, tenant),
      });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (hook.secret) {
        const timestamp = String(Math.floor(now().getTime() / 1000));
        const mac = createHmac('sha256', hook.secret).update(`${timestamp}.${body}`).digest('hex');
        headers['x-hourglass-timestamp'] = timestamp;
        headers['x-hourglass-signature'] = `sha256=${mac}`;
      }
      const res = await fetch(hook.url, {
        method: 'POST',
        body,
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).catch((error: unknown) => {
        throw new Error(
          `audit witness webhook ${host}: ${error instanceof Error ? error.message : 'failed'}`,
        );
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`audit witness webhook ${host} answered ${res.status}`);
    },
    close: () => undefined,
  };
}
