/** Small timing helpers for benchmarks: medians over repeated runs, printed as ratios. */
import { spawnSync } from 'node:child_process';

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `runs` times after `warmup` runs and returns the median wall time in ms. */
export async function medianMs(
  fn: () => Promise<unknown>,
  runs: number,
  warmup = 3,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Median wall time in ms of running a command to completion. */
export function commandMedianMs(
  cmd: string,
  args: string[],
  runs: number,
  env?: NodeJS.ProcessEnv,
): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = performance.now();
    const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.status)}`);
    if (i > 0) times.push(performance.now() - start);
  }
  return median(times);
}

/** Prints one benchmark line: name, measured value, baseline and their ratio. */
export function report(
  name: string,
  value: number,
  baseline: number,
  unit: string,
  goal: number,
): boolean {
  const ratio = value / baseline;
  const verdict = ratio <= goal ? 'ok' : 'OVER GOAL';
  console.log(
    `${name.padEnd(42)} ${value.toFixed(2)}${unit} vs baseline ${baseline.toFixed(2)}${unit}  ratio ${ratio.toFixed(2)} (goal ≤ ${goal}) ${verdict}`,
  );
  return ratio <= goal;
}
