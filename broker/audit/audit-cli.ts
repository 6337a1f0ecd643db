/**
 * `hourglass-broker audit verify | export | report`: the evidence is opened read-only (nothing is
 * migrated, created or switched), named by `--db FILE`, `--url postgres://…` or `--config FILE`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { loadConfigFile } from '../config-file.ts';
import { pickTenant } from '../tenants/tenant-config.ts';
import { checkpointVerifier } from './checkpoint.ts';
import { inspectEvidence } from './evidence.ts';
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

async function locate(
  opts: EvidenceOptions,
): Promise<{ location: EvidenceLocation; key?: string }> {
  if (opts.config) {
    const loaded = await loadConfigFile(opts.config);
    if (loaded.status === 'error') throw new CliProblem(loaded.message);
    const picked = pickTenant(loaded.config, opts.tenant);
    if (picked.status === 'error') throw new CliProblem(`${opts.config}: ${picked.message}`);
    const { databaseUrl, databasePath, signingKeyPath } = picked.tenant;
    const key = opts.key ?? signingKeyPath;
    if (databaseUrl) return { location: { kind: 'postgres', url: databaseUrl }, key };
    return locate({ db: databasePath ?? '', key });
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

/** `audit verify`: exit 0 intact, 2 with every problem named. */
export async function auditVerify(
  opts: EvidenceOptions,
  out: (line: string) => void,
  note: (line: string) => void,
): Promise<number> {
  const { location, key } = await locate(opts);
  const evidence = await readEvidence(location);
  const verify = key ? await checkpointVerifier(readPublicKey(key)) : undefined;
  const report = await inspectEvidence({ ...evidence, ...(verify ? { verify } : {}) });
  for (const line of report.notes) note(`note: ${line}`);
  if (report.problems.length === 0) {
    out(`audit log intact: ${report.records} records, ${report.checkpoints} signed checkpoints`);
    return 0;
  }
  for (const problem of report.problems) out(`${problem.kind}: ${problem.message}`);
  return 2;
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
