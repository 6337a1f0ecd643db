/**
 * Inspects the audit evidence as an incident reviewer would: the hash chain record by record,
 * gaps in the sequence, the signed checkpoints against the chain (a cut tail, a re-hashed chain,
 * a forged checkpoint), and whether the append-only triggers are still in place. Pure.
 */
import { chainHash, GENESIS_HASH, type ChainedRecord } from './audit-chain.ts';
import type { CheckpointPayload } from './checkpoint.ts';

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
    | 'missing_triggers';
  message: string;
}

/** What the inspection found. */
export interface EvidenceReport {
  records: number;
  checkpoints: number;
  problems: EvidenceProblem[];
  /** What could not be checked, and why. */
  notes: string[];
}

/** What `inspectEvidence` needs. */
export interface EvidenceInput {
  records: readonly ChainedRecord[];
  checkpoints: readonly StoredCheckpoint[];
  missingTriggers: readonly string[];
  /** Verifies a checkpoint signature with the broker's public key; absent: signatures unchecked. */
  verify?: (signature: string) => Promise<CheckpointPayload | null>;
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

/** Inspects the evidence; `problems` empty means intact as far as `notes` allow. */
export async function inspectEvidence(input: EvidenceInput): Promise<EvidenceReport> {
  const problems = [...chainProblems(input.records), ...(await checkpointProblems(input))];
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
  };
}
