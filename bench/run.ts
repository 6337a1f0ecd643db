/** Runs every benchmark and prints ratios against baselines measured in the same run. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAgentMemory } from './agent-memory.bench.ts';
import { benchBrokerLatency } from './broker-latency.bench.ts';
import { benchCliStartup } from './cli-startup.bench.ts';
import { benchRevokeWipe } from './revoke-wipe.bench.ts';
import { benchAgentIdle } from './agent-idle.bench.ts';
import { benchDeadlineWipe } from './wipe.bench.ts';
import { benchLogin } from './login.bench.ts';
import { benchBrokerIssue } from './broker-issue.bench.ts';
import { benchExpiry } from './broker-expiry.bench.ts';
import { benchRestart } from './broker-restart.bench.ts';
import { benchCredentialHelpers } from './credential-helpers.bench.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = [
  benchCliStartup(root),
  await benchBrokerLatency(),
  await benchAgentMemory(root),
  await benchRevokeWipe(),
  await benchAgentIdle(),
  await benchDeadlineWipe(),
  await benchLogin(),
  await benchBrokerIssue(),
  await benchExpiry(),
  await benchRestart(),
  await benchCredentialHelpers(root),
];
const over = results.filter((ok) => !ok).length;
console.log(
  over === 0 ? 'bench: every ratio within its goal' : `bench: ${over} ratio(s) over goal`,
);
