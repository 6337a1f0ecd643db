/** `hourglass-broker`: `serve --config <file>` and `audit verify --db <file>`. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { loadBrokerConfig } from './config.ts';
import { verifyAuditLog } from './audit/verify.ts';
import { openBrokerDatabase } from './store/open-database.ts';
import { startBroker } from './start-broker.ts';

function fail(message: string): never {
  process.stderr.write(`hourglass-broker: ${message}\n`);
  process.exit(1);
}

async function serve(opts: { config: string }): Promise<void> {
  const loaded = await loadBrokerConfig(opts.config);
  if (loaded.status === 'error') fail(loaded.message);
  const broker = await startBroker(loaded.config, {
    onInternalError: (error) =>
      process.stderr.write(
        `internal error: ${error instanceof Error ? error.message : 'unknown'}\n`,
      ),
  }).catch((error: unknown) => fail(error instanceof Error ? error.message : 'cannot start'));
  process.stdout.write(`hourglass-broker listening on ${broker.url}\n`);
  const stop = () => void broker.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function auditVerify(opts: { db: string }): Promise<void> {
  // Opening a missing path would create an empty database and report it "intact".
  if (!existsSync(opts.db))
    fail(`${opts.db}: no such database file; pass the broker's SQLite file`);
  const db = await openBrokerDatabase(opts.db);
  try {
    const result = await verifyAuditLog(db);
    if (result.ok) {
      process.stdout.write(`audit log intact: ${result.records} records\n`);
    } else {
      process.stdout.write(`${result.message}\n`);
      process.exitCode = 2;
    }
  } finally {
    await db.destroy();
  }
}

/** Builds the command-line program. */
export function brokerProgram(): Command {
  const program = new Command('hourglass-broker').description('Hourglass access broker');
  program
    .command('serve')
    .requiredOption('--config <file>', 'broker config (YAML or JSON)')
    .action(serve);
  program
    .command('audit')
    .description('audit log tools')
    .command('verify')
    .requiredOption('--db <file>', 'broker SQLite database')
    .action(auditVerify);
  return program;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await brokerProgram().parseAsync(process.argv);
}
