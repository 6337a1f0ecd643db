/**
 * Reachability probes for provider health: a TCP connect (sshd) and an HTTP answer of any status
 * (an STS endpoint). Each answers null when the target answers, else what is wrong, naming it.
 */
import { connect } from 'node:net';

/** How long a probe waits. */
const PROBE_MS = 2000;

/** Null when `host:port` accepts a TCP connection; else why not. */
export function tcpProblem(name: string, host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_MS });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.once('connect', () => done(null));
    socket.once('timeout', () => done(`${name}: ${host}:${port} did not answer`));
    socket.once('error', (error) => done(`${name}: ${host}:${port} refused (${error.message})`));
  });
}

/** Null when `url` answers HTTP at all (any status: it is up); else why not. */
export async function httpProblem(name: string, url: string): Promise<string | null> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(PROBE_MS) });
    await answer.body?.cancel();
    return null;
  } catch (error) {
    return `${name}: ${new URL(url).origin} did not answer (${error instanceof Error ? error.message : 'failed'})`;
  }
}
