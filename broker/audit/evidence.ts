/**
 * Inspects the audit evidence as an incident reviewer would: the hash chain record by record,
 * gaps in the sequence, the signed checkpoints against the chain (a cut tail, a re-hashed chain,
 * a forged checkpoint), and whether the append-only triggers are still in place. Pure.
 */
import { chainHash, GENESIS_HASH, type ChainedRecord } from './audit-chain.ts';
import { checkpointDigest, type CheckpointPayload } from './checkpoint.ts';
import { unsignedRecords, WITHOUT_WITNESS } from './coverage.ts';
import { compareWithWitness, verifyWitness, type WitnessLine } from './witness.ts';

/** A stored checkpoint. */
export interface StoredCheckpoint {
  seq: number;
  at: string;
  headSeq: number;
  headHash: string;
  signature: string;
}

/** One thing wrong with the evidence, named. */
export interface EvidenceProblem {
  kind:
    | 'altered_record'
    | 'broken_link'
    | 'sequence_gap'
    | 'truncated_tail'
    | 'rewritten_chain'
    | 'bad_checkpoint'
    | 'missing_triggers'
    /** Records past the checkpoint cadence that no checkpoint covers: checkpoints deleted. */
    | 'unsigned_records'
    /** A checkpoint the chain of signed checkpoints or a witness names is gone from the database. */
    | 'checkpoint_removed'
    /** The witness holds more than the database: records removed. */
    | 'behind_witness'
    /** The witness itself is forged, edited or out of order. */
    | 'witness_broken';
  message: string;
}

/** What the inspection found. */
export interface EvidenceReport {
  records: number;
  checkpoints: number;
  problems: EvidenceProblem[];
  /** What could not be checked, and why. */
  notes: string[];
  /** Kinds of tampering this inspection could not detect: all of them without a witness. */
  blindSpots: readonly string[];
}

/** What `inspectEvidence` needs. */
export interface EvidenceInput {
  records: readonly ChainedRecord[];
  checkpoints: readonly StoredCheckpoint[];
  missingTriggers: readonly string[];
  /** Verifies a checkpoint signature with the broker's public key; absent: signatures unchecked. */
  verify?: (signature: string) => Promise<CheckpointPayload | null>;
  /** The checkpoints a witness kept outside the database (checked only with `verify`). */
  witness?: { source: string; lines: readonly WitnessLine[] };
  /** The checkpoint cadence of the broker and the time of the check: records past it need one. */
  cadence?: { seconds: number; now: Date };
}

function chainProblems(records: readonly ChainedRecord[]): EvidenceProblem[] {
  const problems: EvidenceProblem[] = [];
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const record of records) {
    const { prevHash, hash, ...body } = record;
    if (record.seq !== expectedSeq) {
      const last = record.seq - 1;
      problems.push({
        kind: 'sequence_gap',
        message: `records #${expectedSeq}${last > expectedSeq ? `..#${last}` : ''} are missing (deleted) before #${record.seq}`,
      });
    }
    if (chainHash(prevHash, body) !== hash) {
      problems.push({
        kind: 'altered_record',
        message: `audit record #${record.seq} (${record.event}, grant ${record.grantId ?? '-'}) is broken: its contents do not match its hash (altered)`,
      });
    } else if (prevHash !== expectedPrev) {
      problems.push({
        kind: 'broken_link',
        message: `audit record #${record.seq} (${record.event}, grant ${record.grantId ?? '-'}) is broken: its link to the previous record is broken (a record before it was removed, altered or moved)`,
      });
    }
    expectedPrev = hash;
    expectedSeq = record.seq + 1;
  }
  return problems;
}

async function checkpointProblems(input: EvidenceInput): Promise<EvidenceProblem[]> {
  const problems: EvidenceProblem[] = [];
  const bySeq = new Map(input.records.map((r) => [r.seq, r]));
  const lastSeq = input.records.at(-1)?.seq ?? 0;
  let before: StoredCheckpoint | undefined;
  for (const checkpoint of input.checkpoints) {
    const name = `checkpoint #${checkpoint.seq} (signed ${checkpoint.at})`;
    if (input.verify) {
      const signed = await input.verify(checkpoint.signature);
      if (
        !signed ||
        signed.headSeq !== checkpoint.headSeq ||
        signed.headHash !== checkpoint.headHash ||
        signed.at !== checkpoint.at
      ) {
        problems.push({
          kind: 'bad_checkpoint',
          message: `${name} does not verify with the broker's key: forged or altered`,
        });
        continue;
      }
      // The signed link to the checkpoint before: one deleted between two stays visible.
      if (before && signed.prev !== undefined && signed.prev !== checkpointDigest(before.signature))
        problems.push({
          kind: 'checkpoint_removed',
          message: `${name} does not follow checkpoint #${before.seq} (signed ${before.at}): a checkpoint between them was deleted`,
        });
      before = checkpoint;
    }
    if (checkpoint.headSeq > lastSeq) {
      problems.push({
        kind: 'truncated_tail',
        message: `${name} covers records up to #${checkpoint.headSeq} but the log ends at #${lastSeq}: records were removed from the tail`,
      });
      continue;
    }
    const record = bySeq.get(checkpoint.headSeq);
    if (checkpoint.headSeq > 0 && record?.hash !== checkpoint.headHash) {
      problems.push({
        kind: 'rewritten_chain',
        message: `record #${checkpoint.headSeq} does not have the hash ${name} holds: the chain was rewritten (re-hashed) up to there`,
      });
    }
  }
  return problems;
}

async function witnessProblems(input: EvidenceInput): Promise<EvidenceProblem[]> {
  if (!input.witness || !input.verify) return [];
  const { source, lines } = input.witness;
  const { problems, verified } = await verifyWitness(lines, input.verify, source);
  return [...problems, ...compareWithWitness(input.records, input.checkpoints, verified, source)];
}

/** Inspects the evidence; `problems` empty means intact as far as `notes` allow. */
export async function inspectEvidence(input: EvidenceInput): Promise<EvidenceReport> {
  const problems = [
    ...chainProblems(input.records),
    ...(await checkpointProblems(input)),
    ...(input.cadence
      ? unsignedRecords(input.records, input.checkpoints, input.cadence.seconds, input.cadence.now)
      : []),
    ...(await witnessProblems(input)),
  ];
  if (input.missingTriggers.length > 0) {
    problems.push({
      kind: 'missing_triggers',
      message: `the append-only triggers ${input.missingTriggers.join(', ')} are missing: someone with write access dropped them`,
    });
  }
  const notes: string[] = [];
  if (!input.verify && input.checkpoints.length > 0)
    notes.push('checkpoint signatures not checked: pass --key (or --config) to check them');
  if (input.checkpoints.length === 0 && input.records.length > 0)
    notes.push('no signed checkpoint yet: a cut tail cannot be detected before the first one');
  return {
    records: input.records.length,
    checkpoints: input.checkpoints.length,
    problems,
    notes,
    blindSpots: input.witness ? [] : WITHOUT_WITNESS,
  };
}
