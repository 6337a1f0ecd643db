/**
 * The audit witness: every signed checkpoint, also kept outside the database (an append-only file
 * on another path, a webhook, a log shipper reading stdout), as CloudTrail delivers its signed
 * digest files outside the log and Certificate Transparency witnesses keep signed tree heads.
 * Whoever can rewrite the database cannot make it hold less than the witness saw. Pure.
 */
import { z } from 'zod';
import type { CheckpointPayload } from './checkpoint.ts';
import { checkpointDigest } from './checkpoint.ts';
import type { ChainedRecord } from './audit-chain.ts';
import type { EvidenceProblem, StoredCheckpoint } from './evidence.ts';

/** The `type` of a witness line. */
export const WITNESS_LINE_TYPE = 'hourglass-audit-checkpoint';

/**
 * One witnessed checkpoint as a JSON line. Only `signature` is trusted; the other fields repeat
 * its signed payload for a reader (and must match it).
 */
export const witnessLineSchema = z.strictObject({
  type: z.literal(WITNESS_LINE_TYPE),
  tenant: z.string().nullable(),
  seq: z.number().int().positive(),
  at: z.string(),
  headSeq: z.number().int().min(0),
  headHash: z.string(),
  prev: z.string().optional(),
  signature: z.string().min(1).max(4096),
});
export type WitnessLine = z.infer<typeof witnessLineSchema>;

/** A checkpoint as the writer hands it to witnesses. */
export type WitnessedCheckpoint = StoredCheckpoint & { prev?: string | undefined };

/** The line a witness keeps for `checkpoint` of `tenant` (undefined: the root tenant). */
export function witnessLine(
  checkpoint: WitnessedCheckpoint,
  tenant: string | undefined,
): WitnessLine {
  return {
    type: WITNESS_LINE_TYPE,
    tenant: tenant ?? null,
    seq: checkpoint.seq,
    at: checkpoint.at,
    headSeq: checkpoint.headSeq,
    headHash: checkpoint.headHash,
    ...(checkpoint.prev !== undefined ? { prev: checkpoint.prev } : {}),
    signature: checkpoint.signature,
  };
}

/** The lines of a witness file; an unreadable line is an error naming it. */
export function parseWitness(
  text: string,
  source: string,
): { status: 'success'; lines: WitnessLine[] } | { status: 'error'; message: string } {
  const lines: WitnessLine[] = [];
  const raw = text.split('\n');
  for (const [index, line] of raw.entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const parsed = witnessLineSchema.safeParse(value);
    if (!parsed.success)
      return {
        status: 'error',
        message: `${source}:${index + 1}: not a witnessed checkpoint line (the witness was edited or is not an audit witness file)`,
      };
    lines.push(parsed.data);
  }
  return { status: 'success', lines };
}

/** A witnessed checkpoint whose signature checked out. */
export interface VerifiedWitness {
  line: WitnessLine;
  signed: CheckpointPayload;
}

const witnessBroken = (message: string): EvidenceProblem => ({ kind: 'witness_broken', message });

/**
 * Checks the witness itself: each line signed by the broker's key and saying what it signed, each
 * chained to the line before it, heads never moving back. Returns the lines that verified.
 */
export async function verifyWitness(
  lines: readonly WitnessLine[],
  verify: (signature: string) => Promise<CheckpointPayload | null>,
  source: string,
): Promise<{ problems: EvidenceProblem[]; verified: VerifiedWitness[] }> {
  const problems: EvidenceProblem[] = [];
  const verified: VerifiedWitness[] = [];
  let before: VerifiedWitness | undefined;
  for (const [index, line] of lines.entries()) {
    const name = `${source} line ${index + 1} (checkpoint #${line.seq}, signed ${line.at})`;
    const signed = await verify(line.signature);
    if (
      !signed ||
      signed.at !== line.at ||
      signed.headSeq !== line.headSeq ||
      signed.headHash !== line.headHash ||
      signed.prev !== line.prev
    ) {
      problems.push(
        witnessBroken(`${name} does not verify with the broker's key: forged or altered`),
      );
      continue;
    }
    if (
      before &&
      signed.prev !== undefined &&
      signed.prev !== checkpointDigest(before.line.signature)
    )
      problems.push(
        witnessBroken(
          `${name} does not follow the line before it: a witnessed checkpoint was removed or the lines reordered`,
        ),
      );
    if (before && signed.headSeq < before.signed.headSeq)
      problems.push(
        witnessBroken(`${name} covers fewer records than the line before it: lines were reordered`),
      );
    before = { line, signed };
    verified.push(before);
  }
  return { problems, verified };
}

/**
 * What the database lacks of what the witness saw: records up to each witnessed head, with the
 * witnessed hash there, and the witnessed checkpoints themselves.
 */
export function compareWithWitness(
  records: readonly ChainedRecord[],
  checkpoints: readonly StoredCheckpoint[],
  witnessed: readonly VerifiedWitness[],
  source: string,
): EvidenceProblem[] {
  const problems: EvidenceProblem[] = [];
  const newest = witnessed.at(-1);
  const lastSeq = records.at(-1)?.seq ?? 0;
  if (newest && newest.signed.headSeq > lastSeq)
    problems.push({
      kind: 'behind_witness',
      message: `${source} holds checkpoint #${newest.line.seq} (signed ${newest.signed.at}) covering records up to #${newest.signed.headSeq}, but the log ends at ${lastSeq === 0 ? 'no record at all' : `#${lastSeq}`}: records were removed from the database`,
    });
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  for (const { line, signed } of witnessed) {
    const record = bySeq.get(signed.headSeq);
    if (signed.headSeq > 0 && record && record.hash !== signed.headHash)
      problems.push({
        kind: 'rewritten_chain',
        message: `record #${signed.headSeq} does not have the hash witnessed checkpoint #${line.seq} (signed ${signed.at}) holds: the chain was rewritten up to there`,
      });
  }
  const stored = new Set(checkpoints.map((c) => c.signature));
  const removed = witnessed.filter(({ line }) => !stored.has(line.signature));
  if (removed.length > 0)
    problems.push({
      kind: 'checkpoint_removed',
      message: `${removed.length} witnessed checkpoint(s) are not in the database (${removed
        .slice(0, 5)
        .map(({ line }) => `#${line.seq} signed ${line.at}`)
        .join(', ')}${removed.length > 5 ? ', …' : ''}): deleted from it`,
    });
  return problems;
}
