/** `hourglass agent`: the headless agent in the foreground until SIGINT/SIGTERM. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgentConfig, resolveBaseDir, resolveDataDir } from '../agent/config.ts';
import { ensurePrivateDir } from '../agent/grant-store.ts';
import { startAgent } from '../agent/host.ts';
import {
  agentHolder,
  profileDataDirs,
  stopCommand,
  stopHeadlessAgent,
} from '../agent/instance-lock-holder.ts';
import { isAgentRunning } from '../agent/local-api.client.ts';
import { displayText } from '../protocol/plain-text.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';

/** Runs the agent for `env`; answers the exit code once it has stopped. */
export async function runHeadlessAgent(
  env: NodeJS.ProcessEnv,
  err: (text: string) => void,
): Promise<number> {
  const config = loadAgentConfig(env);
  if (!config.ok) {
    err(`hourglass agent: ${config.error.message}\n`);
    return exitCodeFor(config.error.code);
  }
  if (await isAgentRunning(config.value.socketPath)) {
    const profile = config.value.profile ?? 'default';
    err(
      `hourglass agent: an agent is already running for profile "${profile}"; stop it with \`${stopCommand(profile)}\`\n`,
    );
    return EXIT.unexpected;
  }
  ensurePrivateDir(config.value.dataDir);
  const pidFile = join(config.value.dataDir, 'agent.pid');
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(config.value, {
      host: 'headless',
      onDeadlineEvent: (event) =>
        err(
          event.kind === 'grantWiped'
            ? `wiped ${event.role} grant ${event.grantId} (${event.trigger})\n`
            : `${event.role} grant ${event.grantId} expires in ${event.secondsLeft}s\n`,
        ),
    });
  } catch (error) {
    err(`hourglass agent: ${error instanceof Error ? error.message : 'failed to start'}\n`);
    return EXIT.unexpected;
  }
  // Notices (no secret in them) go to the agent's log, for whoever runs it in a terminal.
  agent.subscribe((push) => {
    if (push.type === 'notice')
      err(`notice: ${displayText(push.notice.title)} — ${displayText(push.notice.body)}\n`);
  });
  // Written only once this agent holds the instance lock: a loser of a start race must not
  // overwrite or remove the winner's. The pid lets tooling (and tests) stop exactly this agent.
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  err(`hourglass agent: serving ${config.value.socketPath}${config.value.demo ? ' [DEMO]' : ''}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await agent.close();
  rmSync(pidFile, { force: true });
  return EXIT.ok;
}

/**
 * `hourglass agent --stop [--all-profiles]`: stops the headless agent of this profile (or of every
 * profile); an agent inside an app is named, not killed.
 */
export async function stopAgents(
  env: NodeJS.ProcessEnv,
  allProfiles: boolean,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const dirs = allProfiles ? profileDataDirs(resolveBaseDir(env)) : [resolveDataDir(env)];
  let code: number = EXIT.ok;
  let stoppedAny = false;
  for (const dir of dirs) {
    // Across every profile, an agent that is not a headless one (inside the app, or the demo's
    // `npm start`) is not ours to stop: it is named, and does not fail the command.
    const holder = allProfiles ? agentHolder(dir) : null;
    if (holder && !holder.headless) {
      out(
        `Left the agent (pid ${holder.pid}) of ${dir} running: it runs inside an app or the demo; quit that to stop it\n`,
      );
      continue;
    }
    const stopped = await stopHeadlessAgent(dir);
    if (!stopped.ok) {
      err(`hourglass agent: ${stopped.error.message}\n`);
      code = EXIT.unexpected;
    } else if (stopped.value !== null) {
      stoppedAny = true;
      out(`Stopped the agent (pid ${stopped.value}) of ${dir}\n`);
    }
  }
  if (code === EXIT.ok && !stoppedAny) out('No agent was running.\n');
  return code;
}
