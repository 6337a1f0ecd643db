/**
 * At start, before a tenant serves: its store must still hold everything its witness file saw.
 * A store behind its witness was cut or rewritten (or is an older backup), and a broker running on
 * it would sign the loss into new checkpoints, so it refuses to start and says why.
 */
import type { JWK } from 'jose';
import { checkpointVerifier } from './checkpoint.ts';
import { readEvidence, type EvidenceLocation } from './read-evidence.ts';
import { compareWithWitness, verifyWitness } from './witness.ts';
import { readWitnessFile } from './witness-sinks.ts';

/** What the start check needs. */
export interface WitnessCheckInput {
  /** For messages: `tenant prod-eu` or `the broker`. */
  who: string;
  file: string;
  location: EvidenceLocation;
  /** The broker's public key (the tenant's signing key). */
  publicJwk: JWK;
}

/**
 * Checks the store against the witness file; throws a message saying what is missing and what to
 * do. Returns the store checkpoint the witness holds last (0 when it holds none), where its
 * writer resumes.
 */
export async function checkStoreAgainstWitness(input: WitnessCheckInput): Promise<number> {
  const { who, file } = input;
  const lines = readWitnessFile(file);
  const verify = await checkpointVerifier(input.publicJwk);
  const witness = await verifyWitness(lines, verify, file);
  const evidence = await readEvidence(input.location);
  const problems = [
    ...witness.problems,
    ...compareWithWitness(evidence.records, evidence.checkpoints, witness.verified, file),
  ];
  if (problems.length > 0)
    throw new Error(
      [
        `${who}: refusing to start: the audit store is behind its witness ${file}`,
        ...problems.map((p) => `  ${p.kind}: ${p.message}`),
        'Records or checkpoints the witness saw are gone from the store (deleted or rewritten), or the store was restored from an older backup.',
        `See everything that is missing with: hourglass-broker audit verify --config <this config> --witness ${file}`,
        'Then restore the store from a backup that holds every witnessed checkpoint. Starting on this store would sign the loss into new checkpoints.',
      ].join('\n'),
    );
  // A new witness starts with the next checkpoint: it cannot vouch for what it never saw.
  return witness.verified.at(-1)?.line.seq ?? evidence.checkpoints.at(-1)?.seq ?? 0;
}
