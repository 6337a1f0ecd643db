/**
 * `hourglass-broker audit verify | export | report`: the evidence is opened read-only (nothing is
 * migrated, created or switched), named by `--db FILE`, `--url postgres://…` or `--config FILE`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { loadConfigFile } from '../config-file.ts';
import { pickTenant } from '../tenants/tenant-config.ts';
import { checkpointVerifier } from './checkpoint.ts';
import { inspectEvidence, type EvidenceProblem } from './evidence.ts';
import { parseWitness, type WitnessLine } from './witness.ts';
import { formatIncidentReport, incidentReport } from './incident-report.ts';
import { readEvidence, readGrants, type EvidenceLocation } from './read-evidence.ts';

/** Options naming the evidence. */
export interface EvidenceOptions {
  db?: string;
  url?: string;
  config?: string;
  key?: string;
  /** With `config`: the tenant whose evidence to open (needed when it lists several). */
  tenant?: string;
}

/** A usage or input problem, printed as `hourglass-broker: <message>` with exit 1. */
export class CliProblem extends Error {}

/** Where the evidence is, and what the config says about it. */
interface Located {
  location: EvidenceLocation;
  key?: string;
  /** The config's witness file of the tenant. */
  witness?: string;
  /** The config's checkpoint cadence. */
  cadenceSeconds?: number;
}

async function locate(opts: EvidenceOptions): Promise<Located> {
  if (opts.config) {
    const loaded = await loadConfigFile(opts.config);
    if (loaded.status === 'error') throw new CliProblem(loaded.message);
    const picked = pickTenant(loaded.config, opts.tenant);
    if (picked.status === 'error') throw new CliProblem(`${opts.config}: ${picked.message}`);
    const { databaseUrl, databasePath, signingKeyPath, auditWitness } = picked.tenant;
    const key = opts.key ?? signingKeyPath;
    const fromConfig = {
      cadenceSeconds: loaded.config.auditCheckpointSeconds,
      ...(auditWitness?.file !== undefined ? { witness: auditWitness.file } : {}),
    };
    if (databaseUrl)
      return { location: { kind: 'postgres', url: databaseUrl }, key, ...fromConfig };
    return { ...(await locate({ db: databasePath ?? '', key })), ...fromConfig };
  }
  if (opts.url)
    return {
      location: { kind: 'postgres', url: opts.url },
      ...(opts.key ? { key: opts.key } : {}),
    };
  if (!opts.db)
    throw new CliProblem('name the evidence: --db FILE, --url postgres://… or --config FILE');
  // Opening a missing path would create an empty database and report it "intact".
  if (!existsSync(opts.db))
    throw new CliProblem(`${opts.db}: no such database file; pass the broker's SQLite file`);
  return { location: { kind: 'sqlite', path: opts.db }, ...(opts.key ? { key: opts.key } : {}) };
}

function readPublicKey(path: string): JWK {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as JWK;
  } catch {
    throw new CliProblem(`${path}: cannot read the broker's signing key (a JWK file)`);
  }
}

/** What `audit verify` takes besides the evidence. */
export interface VerifyOptions extends EvidenceOptions {
  /** A witness file of the broker's checkpoints (default: the config's `auditWitness.file`). */
  witness?: string;
  /** Exit 3 when a witness could not be compared: intact only as far as the database shows. */
  strict?: boolean;
  /** The broker's `auditCheckpointSeconds` (default: the config's, else 60). */
  checkpointSeconds?: string;
}

/** The default of `auditCheckpointSeconds`. */
const DEFAULT_CADENCE_SECONDS = 60;

function cadenceOf(opts: VerifyOptions, located: Located, note: (line: string) => void): number {
  if (opts.checkpointSeconds !== undefined) {
    const seconds = Number(opts.checkpointSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new CliProblem(
        `--checkpoint-seconds "${opts.checkpointSeconds.slice(0, 20)}" is not a number of seconds; pass the broker's auditCheckpointSeconds, e.g. 60`,
      );
    return seconds;
  }
  if (located.cadenceSeconds !== undefined) return located.cadenceSeconds;
  note(
    `note: checkpoint cadence taken as ${DEFAULT_CADENCE_SECONDS}s (the default); pass --checkpoint-seconds or --config if the broker signs less often`,
  );
  return DEFAULT_CADENCE_SECONDS;
}

/** The witness lines to compare with, or the problem that the witness itself is unreadable. */
function readWitness(path: string): { source: string; lines: WitnessLine[] } | EvidenceProblem {
  if (!existsSync(path)) throw new CliProblem(`${path}: no such witness file`);
  const parsed = parseWitness(readFileSync(path, 'utf8'), path);
  return parsed.status === 'success'
    ? { source: path, lines: parsed.lines }
    : { kind: 'witness_broken', message: parsed.message };
}

/**
 * `audit verify`: exit 0 intact, 2 with every problem named, 3 with `--strict` when no witness
 * was compared (the kinds of tampering that leaves undetected are printed either way).
 */
export async function auditVerify(
  opts: VerifyOptions,
  out: (line: string) => void,
  note: (line: string) => void,
  now: Date = new Date(),
): Promise<number> {
  const located = await locate(opts);
  const { location, key } = located;
  const witnessPath = opts.witness ?? located.witness;
  if (witnessPath !== undefined && !key)
    throw new CliProblem(
      `--witness needs the broker's key to check the witnessed signatures: pass --key FILE or --config FILE`,
    );
  const cadence = { seconds: cadenceOf(opts, located, note), now };
  const witness = witnessPath === undefined ? undefined : readWitness(witnessPath);
  const evidence = await readEvidence(location);
  const verify = key ? await checkpointVerifier(readPublicKey(key)) : undefined;
  const report = await inspectEvidence({
    ...evidence,
    cadence,
    ...(verify ? { verify } : {}),
    ...(witness && 'lines' in witness ? { witness } : {}),
  });
  const problems = [...(witness && 'kind' in witness ? [witness] : []), ...report.problems];
  for (const line of report.notes) note(`note: ${line}`);
  if (problems.length > 0) {
    for (const problem of problems) out(`${problem.kind}: ${problem.message}`);
    return 2;
  }
  const summary = `audit log intact: ${report.records} records, ${report.checkpoints} signed checkpoints`;
  if (report.blindSpots.length === 0) {
    out(`${summary}; it holds everything its witness ${witnessPath ?? ''} saw`);
    return 0;
  }
  out(summary);
  note('warning: no witness compared (--witness FILE); this check cannot detect:');
  for (const spot of report.blindSpots) note(`  - ${spot}`);
  if (!opts.strict) return 0;
  out('not proven: no witness outside the database to compare with (--strict)');
  return 3;
}

/** `audit export [--since]`: one JSON object per line, oldest first. */
export async function auditExport(
  opts: EvidenceOptions & { since?: string },
  out: (line: string) => void,
): Promise<number> {
  const since = opts.since === undefined ? undefined : parseInstant(opts.since, '--since');
  const { location } = await locate(opts);
  const { records } = await readEvidence(location);
  for (const record of records) {
    if (since !== undefined && record.at < since) continue;
    const { details, ...rest } = record;
    out(JSON.stringify({ ...rest, details: JSON.parse(details) as unknown }));
  }
  return 0;
}

function parseInstant(text: string, flag: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new CliProblem(
      `${flag} "${text.slice(0, 40)}" is not a time; use e.g. 2030-01-01T00:00:00Z`,
    );
  return new Date(ms).toISOString();
}

/** `audit report --ticket T | --since S [--until U] [--json]`. */
export async function auditReport(
  opts: EvidenceOptions & { ticket?: string; since?: string; until?: string; json?: boolean },
  out: (text: string) => void,
  now: Date,
): Promise<number> {
  if (!opts.ticket && !opts.since)
    throw new CliProblem(
      'name what to report on: --ticket INC-123, or a window with --since (and --until)',
    );
  const scope = {
    ticket: opts.ticket,
    since: opts.since === undefined ? undefined : parseInstant(opts.since, '--since'),
    until: opts.until === undefined ? undefined : parseInstant(opts.until, '--until'),
  };
  const { location } = await locate(opts);
  const grants = await readGrants(location, scope);
  const { records } = await readEvidence(location);
  const name = opts.ticket
    ? `ticket ${opts.ticket}`
    : `grants created from ${scope.since ?? ''} to ${scope.until ?? 'now'}`;
  const report = incidentReport(name, grants, records, now);
  out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatIncidentReport(report));
  return 0;
}
