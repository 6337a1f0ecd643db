/**
 * Writes a signed checkpoint of the audit chain head every interval, and once more at shutdown,
 * and hands every committed checkpoint, in order, to the witnesses outside the database.
 */
import type { SigningKey } from '../credentials/signing-key.ts';
import type { Clock } from '../ports.ts';
import type { GrantRepository } from '../store/grant-repository.ts';
import { signCheckpoint } from './checkpoint.ts';
import type { CheckpointWitness } from './witness-sinks.ts';

/** A running checkpoint writer. */
export interface CheckpointWriter {
  /** Signs the current head now (if it moved since the last checkpoint), then tells the witnesses. */
  checkpoint(): Promise<void>;
  stop(): void;
}

/** A witness and the store checkpoint it kept last (its cursor; 0: none yet). */
export interface WitnessCursor {
  witness: CheckpointWitness;
  after: number;
}

/** Checkpoints handed to one witness per round, at most. */
const WITNESS_BATCH = 500;

/**
 * Hands each witness the store's checkpoints after its cursor, in order: those written by another
 * replica, and those a failed round left behind, too. A witness that fails keeps its cursor.
 */
async function tellWitnesses(
  repo: GrantRepository,
  cursors: readonly WitnessCursor[],
  onError: (error: unknown) => void,
): Promise<void> {
  for (const cursor of cursors) {
    try {
      for (const checkpoint of await repo.checkpointsAfter(cursor.after, WITNESS_BATCH)) {
        await cursor.witness.keep(checkpoint);
        cursor.after = checkpoint.seq;
      }
    } catch (error) {
      onError(error);
    }
  }
}

/** Starts the writer; failures go to `onError` and the next interval tries again. */
export function startCheckpointWriter(deps: {
  repo: GrantRepository;
  key: SigningKey;
  clock: Clock;
  intervalMs: number;
  onError: (error: unknown) => void;
  witnesses?: readonly WitnessCursor[];
}): CheckpointWriter {
  const cursors = deps.witnesses ?? [];
  const round = async (): Promise<void> => {
    await deps.repo.appendCheckpoint(deps.clock.now(), deps.key.kid, (payload) =>
      signCheckpoint(payload, deps.key),
    );
    await tellWitnesses(deps.repo, cursors, deps.onError);
  };
  // One round at a time, so a witness is never handed the same checkpoint twice.
  let running: Promise<void> = Promise.resolve();
  const checkpoint = (): Promise<void> => {
    running = running.catch(() => undefined).then(round);
    return running;
  };
  const timer = setInterval(() => {
    checkpoint().catch(deps.onError);
  }, deps.intervalMs);
  timer.unref();
  return {
    checkpoint,
    stop: () => {
      clearInterval(timer);
    },
  };
}
