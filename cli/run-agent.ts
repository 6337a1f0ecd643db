/** `hourglass agent`: the headless agent in the foreground until SIGINT/SIGTERM. */
import { loadAgentConfig } from '../agent/config.ts';
import { startAgent } from '../agent/host.ts';
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
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(config.value, {
      onDeadlineEvent: (event) =>
        err(
          event.kind === 'grantWiped'
            ? `wiped ${event.role} grant ${event.grantId}\n`
            : `${event.role} grant ${event.grantId} expires in ${event.secondsLeft}s\n`,
        ),
    });
  } catch (error) {
    err(`hourglass agent: ${error instanceof Error ? error.message : 'failed to start'}\n`);
    return EXIT.unexpected;
  }
  err(`hourglass agent: serving ${config.value.socketPath}${config.value.demo ? ' [DEMO]' : ''}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await agent.close();
  return EXIT.ok;
}
