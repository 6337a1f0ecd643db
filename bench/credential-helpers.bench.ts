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
import { completeIdpLogin } from '../demo/idp-login-driver.ts';
import { agentConfigForStack } from '../demo/stack-agent-config.ts';
import { startDemoStack } from '../demo/stack.ts';
import { startStsStandIn } from '../demo/targets/sts-standin.ts';
import { spawn } from 'node:child_process';
import { median, report } from './measure.ts';

/** Median wall time of a command, spawned asynchronously (the agent and broker run in this process). */
async function commandMedian(
  args: string[],
  runs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, args, {
        stdio: 'ignore',
        env: { ...process.env, ...env },
      });
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`${args.join(' ')} exited ${String(code)}`);
    if (i > 0) times.push(performance.now() - start);
  }
  return median(times);
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
    const begun = await agent.handlers.beginLogin({ openBrowser: false });
    if (!begun.ok) throw new Error(begun.error.message);
    const { callbackUrl } = await completeIdpLogin(begun.value.authorizationUrl, {
      login: 'alice',
      password: 'demo',
    });
    await fetch(callbackUrl);
    await agent.handlers.awaitLogin({ loginId: begun.value.loginId });
    for (const r of ['api-ro', 'aws-ro'])
      await agent.handlers.requestGrant({ role: r, durationSeconds: 3600, reason: 'bench' });
    const env = { HOURGLASS_HOME: join(dir, 'agent') };
    const cli = (...args: string[]) =>
      commandMedian([join(root, 'bin', 'hourglass.js'), ...args], runs, env);
    const baseline = await commandMedian(['-e', '0'], runs);
    const goal = 1.5;
    const results = [
      report(
        'hourglass env / node -e 0',
        await cli('env', 'api-ro', '--shell', 'bash'),
        baseline,
        'ms',
        goal,
      ),
      report(
        'hourglass credential-process / node -e 0',
        await cli('credential-process', 'aws-ro'),
        baseline,
        'ms',
        goal,
      ),
      report('hourglass status / node -e 0', await cli('status'), baseline, 'ms', goal),
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
