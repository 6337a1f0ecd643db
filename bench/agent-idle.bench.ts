/**
 * Idle cost of a headless agent holding 100 grants: CPU (share of one core) and RSS over a quiet
 * window, signed in with its event stream open. Goals: CPU ≤ 0.2 % of a core, RSS ≤ 100 MB.
 * Baseline: an idle `node` process with a 1 s interval, measured over the same window.
 * The window is the 60 s (a 10 s window swings with whatever periodic work falls into
 * it); `HOURGLASS_BENCH_SHORT=1` makes it 10 s for a quick look.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestShort, signIn, startDeadlineHarness } from '../agent/deadline-harness.ts';

const GRANTS = 100;
const WINDOW_MS = process.env.HOURGLASS_BENCH_SHORT === '1' ? 10_000 : 60_000;
const GOAL_CPU_PERCENT = 0.2;
const GOAL_RSS_MB = 100;
const TICKS_PER_SECOND = 100;
const SETTLE_MS = 15_000;
const ROOT = new URL('..', import.meta.url).pathname;

/**
 * The agent as shipped: the esbuild bundle (`npm run bench` builds it first), not tsx, which
 * bin/hourglass.js falls back to whenever a source is newer than the bundle.
 */
function bundledLauncher(): string | undefined {
  const bundle = join(ROOT, 'dist', 'cli', 'main.mjs');
  if (!existsSync(bundle)) return undefined;
  const launcher = join(mkdtempSync(join(tmpdir(), 'hourglass-bench-idle-')), 'hourglass.mjs');
  writeFileSync(
    launcher,
    `const cli = await import(${JSON.stringify(bundle)});\nawait cli.main();\n`,
  );
  return launcher;
}

/** utime + stime of `pid` in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) / 1024;
}

/** Runs the benchmark; returns whether both goals are met. */
export async function benchAgentIdle(): Promise<boolean> {
  const h = await startDeadlineHarness(GRANTS);
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  try {
    const agent = await h.spawnAgent({}, bundledLauncher());
    await signIn(agent.handlers, 'alice');
    for (let i = 0; i < GRANTS; i++) await requestShort(agent.handlers, `role-${i}`, 3600);
    // Settle: start-up compilation and GC, the last fetches, receipts and snapshot pushes.
    await sleep(SETTLE_MS);
    const startAgentCpu = cpuMs(agent.pid);
    const startIdleCpu = cpuMs(idle.pid ?? 0);
    const started = performance.now();
    await sleep(WINDOW_MS);
    const elapsed = performance.now() - started;
    const agentPercent = ((cpuMs(agent.pid) - startAgentCpu) / elapsed) * 100;
    const idlePercent = ((cpuMs(idle.pid ?? 0) - startIdleCpu) / elapsed) * 100;
    const rss = rssMb(agent.pid);
    const cpuOk = agentPercent <= GOAL_CPU_PERCENT;
    const rssOk = rss <= GOAL_RSS_MB;
    console.log(
      `agent idle with ${GRANTS} grants over ${(elapsed / 1000).toFixed(0)} s: CPU ${agentPercent.toFixed(3)} % of a core (idle node ${idlePercent.toFixed(3)} %; goal ≤ ${GOAL_CPU_PERCENT} %) ${cpuOk ? 'ok' : 'OVER GOAL'}; RSS ${rss.toFixed(1)} MB (idle node ${rssMb(idle.pid ?? 0).toFixed(1)} MB; goal ≤ ${GOAL_RSS_MB} MB) ${rssOk ? 'ok' : 'OVER GOAL'}`,
    );
    await agent.handlers.logout({});
    return cpuOk && rssOk;
  } finally {
    idle.kill();
    await h.close();
  }
}

if (process.argv[1]?.endsWith('agent-idle.bench.ts')) {
  const met = await benchAgentIdle();
  process.exitCode = met ? 0 : 1;
}
