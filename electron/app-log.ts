/** The main process's log: one line per event on stderr. Never given a secret. */

/** Writes one log line. */
export function appLog(line: string): void {
  process.stderr.write(`hourglass-app: ${line}\n`);
}
