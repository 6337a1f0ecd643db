/** CLI start-up: `hourglass --help` against `node -e 0`, measured in the same run. */
import { join } from 'node:path';
import { commandMedianMs, report } from './measure.ts';

/** Runs the CLI start-up benchmark; returns whether the ratio meets its goal. */
export function benchCliStartup(root: string): boolean {
  const runs = 10;
  const baseline = commandMedianMs(process.execPath, ['-e', '0'], runs);
  const cli = commandMedianMs(
    process.execPath,
    [join(root, 'bin', 'hourglass.js'), '--help'],
    runs,
  );
  return report('cli start-up (hourglass --help / node -e 0)', cli, baseline, 'ms', 4);
}
