/** `hourglass doctor`: checks what the agent depends on and prints the fix for each failure. */
import { homedir } from 'node:os';
import type { DoctorCheck } from '../agent/doctor-checks.ts';
import {
  checkAgent,
  checkBroker,
  checkIdp,
  checkKeychainViaAgent,
  checkShell,
} from '../agent/doctor-checks.ts';
import { checkKeychain } from '../agent/doctor-keychain.ts';
import { loadAgentConfig, resolveProfile } from '../agent/config.ts';
import type { Ctx } from './command-support.ts';
import { print } from './command-support.ts';
import { EXIT } from './exit-codes.ts';

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** The doctor's report as text: one line per check, its fix indented below. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => [
    `${MARK[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.fix && c.status !== 'ok' ? [`      ${' '.repeat(width)}  fix: ${c.fix}`] : []),
  ]);
  const failed = checks.filter((c) => c.status === 'fail').length;
  lines.push(failed === 0 ? 'Everything Hourglass needs works.' : `${failed} problem(s) to fix.`);
  return `${lines.join('\n')}\n`;
}

/** The exit code: 2 when the configuration is unusable, 5 when a part is unavailable, else 0. */
export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  if (checks.some((c) => c.name === 'config' && c.status === 'fail')) return EXIT.usage;
  return checks.some((c) => c.status === 'fail') ? EXIT.unavailable : EXIT.ok;
}

async function runChecks(env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  const profile = resolveProfile(env);
  const config = loadAgentConfig(env);
  const checks: DoctorCheck[] = [];
  const localProbe = () => checkKeychain(profile.ok ? profile.value : 'default');
  if (!config.ok) {
    checks.push({
      name: 'config',
      status: 'fail',
      detail: config.error.message,
      fix: 'run `hourglass setup <broker-url>` with the URL your company gave you',
    });
    checks.push(await localProbe());
  } else {
    const c = config.value;
    checks.push({
      name: 'config',
      status: 'ok',
      detail: `profile ${c.profile ?? 'default'}, broker ${c.brokerUrl}${c.demo ? ' [DEMO]' : ''}`,
    });
    // The running agent holds the keychain (its bus, its scope): it answers. Else this process
    // probes, on the bus an agent would get (a demo profile: the demo's private keyring).
    const keychain = checkKeychainViaAgent(c).then((answer) => {
      if (answer) return answer;
      if (c.demoKeyringBus) process.env.DBUS_SESSION_BUS_ADDRESS = c.demoKeyringBus;
      return localProbe();
    });
    const [kc, agent, idp, broker] = await Promise.all([
      keychain,
      checkAgent(c),
      checkIdp(c),
      checkBroker(c),
    ]);
    checks.push(kc, agent, idp, ...broker);
  }
  checks.push(checkShell(env.HOME || homedir()));
  return checks;
}

/** Runs `hourglass doctor`. */
export async function runDoctor(ctx: Ctx): Promise<number> {
  const checks = await runChecks(ctx.io.env);
  print(ctx, { checks }, (shown) => formatDoctor(shown.checks));
  return doctorExitCode(checks);
}
