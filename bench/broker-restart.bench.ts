/**
 * `restart`: a broker process started on a store holding 100,000 active grants, until `/readyz`
 * answers 200 and an authenticated request succeeds — against the same on an empty store, in the
 * same run. Goals: ≤ 1.2× the empty store, and ≤ 1 s.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrokerDatabase } from '../broker/store/open-database.ts';
import { BROKER_AUDIENCE, DEMO_POLICY_PATH } from '../demo/stack.ts';
import { startBenchIssuer } from './bench-issuer.ts';
import { median } from './measure.ts';
import { seedGrants } from './seed-grants.ts';

const GRANTS = Number(process.env.HOURGLASS_BENCH_RESTART_GRANTS ?? 100_000);
const RUNS = 3;
const bin = fileURLToPath(new URL('../bin/hourglass-broker.js', import.meta.url));

async function startUntilServing(config: string, token: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--config', config], { stdio: 'pipe' });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`broker exited ${String(code)}`)));
    });
    for (;;) {
      const ready = await fetch(`${url}/readyz`).catch(() => undefined);
      if (ready?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const me = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    if (me.status !== 200) throw new Error(`GET /v1/me answered ${me.status}`);
    return performance.now() - started;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function storeWith(dir: string, issuer: string, grants: number): Promise<string> {
  const databasePath = join(dir, `broker-${grants}.sqlite`);
  const db = await openBrokerDatabase(databasePath);
  // Deadlines spread over the next day: all active at start, none due.
  const now = Date.now();
  await seedGrants(db, grants, issuer, (i) => new Date(now + 3_600_000 + i * 800));
  await db.destroy();
  const config = join(dir, `broker-${grants}.json`);
  await writeFile(
    config,
    JSON.stringify({
      issuers: [{ issuer, audience: BROKER_AUDIENCE }],
      policyPath: DEMO_POLICY_PATH,
      databasePath,
      signingKeyPath: join(dir, 'key.jwk'),
      logLevel: 'warn',
    }),
  );
  return config;
}

/** Runs the bench; true when both goals hold. */
export async function benchRestart(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'hourglass-bench-'));
  const issuer = await startBenchIssuer();
  try {
    const [token] = await issuer.tokens(1, BROKER_AUDIENCE);
    const empty = await storeWith(dir, issuer.issuer, 0);
    const full = await storeWith(dir, issuer.issuer, GRANTS);
    const emptyMs: number[] = [];
    const fullMs: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      emptyMs.push(await startUntilServing(empty, token ?? ''));
      fullMs.push(await startUntilServing(full, token ?? ''));
    }
    const [e, f] = [median(emptyMs), median(fullMs)];
    const ok = f <= 1.2 * e && f <= 1000;
    console.log(
      `restart: ${GRANTS} active grants ${f.toFixed(0)} ms vs empty store ${e.toFixed(0)} ms to /readyz + a request (median of ${RUNS}); ratio ${(f / e).toFixed(2)} (goal ≤ 1.2 and ≤ 1000 ms) ${ok ? 'ok' : 'OVER GOAL'}`,
    );
    return ok;
  } finally {
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('broker-restart.bench.ts')) {
  process.exitCode = (await benchRestart()) ? 0 : 1;
}
