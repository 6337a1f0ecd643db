/**
 * Credential helpers with the agent running: `hourglass env`, `credential-process` and `status`,
 * 50 runs each, against `node -e 0` in the same run (goal: median ≤ 1.5×). kubectl and the AWS
 * SDK call a credential helper before every command, so its start-up is what a user waits for.
 * The STS here is the test stand-in (not AWS).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../agent/host.ts';
import { signIn } from '../agent/deadline-harness.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { startDemoStack } from '../demo/stack.ts';
import { startStsStandIn } from '../demo/targets/sts-standin.ts';
import { spawn } from 'node:child_process';
import { median, report } from './measure.ts';

function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: 'ignore',
      env: { ...process.env, ...env },
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - start)
        : reject(new Error(`${args.join(' ')} exited ${String(code)}`)),
    );
  });
}

/**
 * Median wall time of each command, spawned asynchronously (the agent and broker run in this
 * process). Runs are interleaved round by round, so load from elsewhere on the box falls on the
 * baseline and the commands alike; the first round only warms up.
 */
async function interleavedMedians(
  commands: string[][],
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<number[]> {
  const times: number[][] = commands.map(() => []);
  for (let round = 0; round <= runs; round++)
    for (const [i, args] of commands.entries()) {
      const ms = await timeRun(args, env);
      if (round > 0) times[i]?.push(ms);
    }
  return times.map(median);
}

const ROLE_ARN = 'arn:aws:iam::123456789012:role/bench';

/** Runs the benchmark; answers whether every ratio meets its goal. */
export async function benchCredentialHelpers(root: string, runs = 50): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'hg-bench-helpers-'));
  let brokerUrl = '';
  const sts = await startStsStandIn({ issuer: () => brokerUrl, roleArns: [ROLE_ARN] });
  const policyPath = join(dir, 'policy.yaml');
  const role = (name: string, provider: string) =>
    `  - name: ${name}\n    provider: ${provider}\n    eligible: { groups: [engineers] }\n    maxDuration: 1h\n    reason: { required: false }\n`;
  writeFileSync(
    policyPath,
    `tenant: t\nroles:\n${role('api-ro', '{ kind: jwt, audience: https://api }')}${role('aws-ro', `{ kind: aws, target: sts, roleArn: "${ROLE_ARN}" }`)}`,
  );
  const stack = await startDemoStack({
    dataDir: join(dir, 'stack'),
    policyPath,
    targets: { sts: { kind: 'aws', endpoint: sts.url } },
  });
  brokerUrl = stack.brokerUrl;
  const agent = await startAgent(agentConfigForStack(stack, join(dir, 'agent')));
  try {
    await signIn(agent.handlers, 'alice');
    for (const r of ['api-ro', 'aws-ro'])
      await agent.handlers.requestGrant({ role: r, durationSeconds: 3600, reason: 'bench' });
    const env = { HOURGLASS_HOME: join(dir, 'agent') };
    const bin = join(root, 'bin', 'hourglass.js');
    const [baseline = 0, envMs = 0, processMs = 0, statusMs = 0] = await interleavedMedians(
      [
        ['-e', '0'],
        [bin, 'env', 'api-ro', '--shell', 'bash'],
        [bin, 'credential-process', 'aws-ro'],
        [bin, 'status'],
      ],
      runs,
      env,
    );
    const goal = 1.5;
    const results = [
      report('hourglass env / node -e 0', envMs, baseline, 'ms', goal),
      report('hourglass credential-process / node -e 0', processMs, baseline, 'ms', goal),
      report('hourglass status / node -e 0', statusMs, baseline, 'ms', goal),
    ];
    return results.every(Boolean);
  } finally {
    await agent.close();
    await stack.close();
    await sts.close();
  }
}

if (process.argv[1]?.endsWith('credential-helpers.bench.ts')) {
  const runs = Number(process.env.HOURGLASS_BENCH_RUNS ?? '50');
  process.exitCode = (await benchCredentialHelpers(join(import.meta.dirname, '..'), runs)) ? 0 : 1;
}
