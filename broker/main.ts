/**
 * `hourglass-broker`: `serve --config <file>`, `audit verify | export | report` over the evidence
 * (read-only), `policy check <file>`.
 */
import { Command } from 'commander';
import { loadConfigFile } from './config-file.ts';
import {
  auditExport,
  auditReport,
  auditVerify,
  CliProblem,
  type EvidenceOptions,
  type VerifyOptions,
} from './audit/audit-cli.ts';
import type { PolicyReload } from './policy/live-policy.ts';
import { loadPolicyFile } from './policy/load-policy.ts';
import { watchPolicyFile, type PolicyWatch } from './policy/policy-watch.ts';
import { startBroker, type RunningTenant } from './start-broker.ts';
import { registerDrill } from './drill/drill-command.ts';

function fail(message: string): never {
  process.stderr.write(`hourglass-broker: ${message}\n`);
  process.exit(1);
}

/** What came of a reload, on stderr, naming the tenant on a broker of several. */
const reportReload =
  (tenant: RunningTenant, trigger: string) =>
  (result: PolicyReload): void => {
    const whose = tenant.name === undefined ? '' : ` of tenant ${tenant.name}`;
    process.stderr.write(
      result.status === 'reloaded'
        ? `policy${whose} reloaded on ${trigger}: ${result.roles} roles\n`
        : `policy${whose} reload on ${trigger} refused; still serving the previous policy:\n${result.message}\n`,
    );
  };

/**
 * SIGHUP, or a change of a tenant's policy file, re-reads it; a bad file is refused and that
 * tenant keeps serving its previous policy (the other tenants are not touched).
 */
function watchPolicies(tenants: readonly RunningTenant[]): PolicyWatch[] {
  process.on('SIGHUP', () => {
    for (const tenant of tenants) void tenant.reloadPolicy().then(reportReload(tenant, 'SIGHUP'));
  });
  return tenants.map((tenant) =>
    watchPolicyFile(
      tenant.policyPath,
      () => tenant.reloadPolicy(),
      reportReload(tenant, 'file change'),
    ),
  );
}

async function serve(opts: { config: string }): Promise<void> {
  const loaded = await loadConfigFile(opts.config);
  if (loaded.status === 'error') fail(loaded.message);
  // The command logs JSON lines at info unless the config says otherwise.
  const config = { ...loaded.config, logLevel: loaded.config.logLevel ?? 'info' };
  const broker = await startBroker(config, {
    onInternalError: (error) =>
      process.stderr.write(
        `internal error: ${error instanceof Error ? error.message : 'unknown'}\n`,
      ),
  }).catch((error: unknown) => fail(error instanceof Error ? error.message : 'cannot start'));
  process.stdout.write(`hourglass-broker listening on ${broker.url}\n`);
  for (const tenant of broker.tenants)
    if (tenant.name !== undefined)
      process.stdout.write(`tenant ${tenant.name} served at ${tenant.url}\n`);
  const watches = watchPolicies(broker.tenants);
  const stop = () => {
    for (const watch of watches) watch.close();
    void broker.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Runs a command that answers an exit code; a CliProblem or a read failure exits 1 with its message. */
function exitWith(run: () => Promise<number>): Promise<void> {
  return run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) =>
      fail(
        error instanceof CliProblem || error instanceof Error ? error.message : 'unknown failure',
      ),
  );
}

const line = (text: string) => process.stdout.write(`${text}\n`);
const note = (text: string) => process.stderr.write(`${text}\n`);

function evidenceOptions(command: Command): Command {
  return command
    .option('--db <file>', 'broker SQLite database (opened read-only)')
    .option('--url <url>', 'broker PostgreSQL URL (read-only transactions)')
    .option('--config <file>', 'broker config: its database and signing key')
    .option('--key <file>', "the broker's signing key (JWK), to check signed checkpoints")
    .option('--tenant <name>', 'with --config listing tenants: the tenant whose evidence to open');
}

/** `policy check FILE`: every error with file:line:column: field, exit 1; or a summary, exit 0. */
async function policyCheck(file: string): Promise<void> {
  const parsed = await loadPolicyFile(file);
  if (parsed.status === 'error') {
    process.stderr.write(`${parsed.message}\n`);
    process.exitCode = 1;
    return;
  }
  const { tenant, roles } = parsed.policy;
  line(`${file}: policy OK: tenant ${tenant}, ${roles.length} roles`);
}

/** Builds the command-line program. */
export function brokerProgram(): Command {
  const program = new Command('hourglass-broker').description('Hourglass access broker');
  program
    .command('serve')
    .requiredOption('--config <file>', 'broker config (YAML or JSON)')
    .action(serve);
  const audit = program.command('audit').description('audit log tools (read-only)');
  evidenceOptions(
    audit
      .command('verify')
      .description('check the chain, sequence, checkpoints, triggers, and the witness'),
  )
    .option('--witness <file>', "the broker's audit witness file (default: the config's)")
    .option('--strict', 'exit 3 unless a witness outside the database was compared')
    .option('--checkpoint-seconds <n>', "the broker's auditCheckpointSeconds (default: 60)")
    .action((opts: VerifyOptions) => exitWith(() => auditVerify(opts, line, note)));
  evidenceOptions(audit.command('export').description('every record as JSON lines'))
    .option('--since <time>', 'records at or after this time')
    .action((opts: EvidenceOptions & { since?: string }) =>
      exitWith(() => auditExport(opts, line)),
    );
  evidenceOptions(audit.command('report').description('post-incident view of a ticket or window'))
    .option('--ticket <ticket>', 'every grant requested with this ticket')
    .option('--since <time>', 'grants created at or after this time')
    .option('--until <time>', 'grants created before this time')
    .option('--json', 'the report as JSON')
    .action(
      (
        opts: EvidenceOptions & { ticket?: string; since?: string; until?: string; json?: boolean },
      ) => exitWith(() => auditReport(opts, (t) => process.stdout.write(t), new Date())),
    );
  program
    .command('policy')
    .description('policy tools')
    .command('check')
    .argument('<file>', 'policy file (YAML)')
    .description('print every error with line, column and field; exit 1 if any')
    .action(policyCheck);
  registerDrill(program);
  return program;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await brokerProgram().parseAsync(process.argv);
}
