/**
 * Missing checkpoints are tampering: the broker signs the chain head every `auditCheckpointSeconds`
 * (and at start and shutdown), so records older than the cadence that no checkpoint covers mean
 * the checkpoints that covered them were deleted. Pure.
 */
import type { ChainedRecord } from './audit-chain.ts';
import type { EvidenceProblem, StoredCheckpoint } from './evidence.ts';

/**
 * How many cadences a record may wait for its checkpoint: one interval, one more for a tick that
 * failed and was retried, and the time the broker takes to start and sign after a crash.
 */
export const CADENCE_SLACK = 2;

/** What no check inside the database can detect; only a witness outside it can. */
export const WITHOUT_WITNESS: readonly string[] = [
  'the tail of the log cut off together with the checkpoints that covered it',
  'the whole log deleted (records and checkpoints)',
  'every record re-hashed with fresh times and every checkpoint deleted',
];

/** Records past `CADENCE_SLACK` cadences before `now` that no stored checkpoint covers. */
export function unsignedRecords(
  records: readonly ChainedRecord[],
  checkpoints: readonly StoredCheckpoint[],
  cadenceSeconds: number,
  now: Date,
): EvidenceProblem[] {
  const covered = checkpoints.reduce((max, c) => Math.max(max, c.headSeq), 0);
  const dueBefore = now.getTime() - CADENCE_SLACK * cadenceSeconds * 1000;
  const due = records.filter((r) => r.seq > covered && Date.parse(r.at) < dueBefore);
  const first = due[0];
  const last = due.at(-1);
  if (!first || !last) return [];
  const range = first === last ? `record #${first.seq}` : `records #${first.seq}..#${last.seq}`;
  return [
    {
      kind: 'unsigned_records',
      message: `${range} (the oldest written ${first.at}) have no signed checkpoint, though the broker signs one every ${cadenceSeconds}s: the checkpoints covering them were deleted (or the broker crashed and has not run since; starting it signs them)`,
    },
  ];
}
