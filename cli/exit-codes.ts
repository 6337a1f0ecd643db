/** The CLI's exit codes, one mapping from error codes, documented in `hourglass --help`. */
import type { ErrorCode } from '../protocol/index.ts';
import { assertNever } from '../protocol/index.ts';

/** Exit codes. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  auth: 3,
  denied: 4,
  unavailable: 5,
  /** Not possible in the grant's state: already active, not pending, extension budget used up. */
  state: 6,
  /** `request --wait`: an approver denied the request. */
  requestDenied: 7,
  /** `request --wait`: the request lapsed unapproved or was cancelled. */
  requestLapsed: 8,
  /** Ctrl-C while waiting (a sign-in): 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

/** The exit-code section of `hourglass --help`. */
export const EXIT_CODES_HELP = `
Output:
  --json prints the answer as JSON on stdout (an error as {"error":{"code","message"}}).
  --profile <name> (or HOURGLASS_PROFILE) uses that profile: its own data dir, agent, sign-in
  and keychain items.

Exit codes:
  0  ok
  1  unexpected error
  2  bad usage or input (unknown flag, bad duration, unknown grant, no active grant; a role
     that does not exist or that you are not eligible for: the broker tells no one which)
  3  not signed in, or the sign-in failed
  4  denied by policy (over the maximum duration, reason or ticket missing, not an approver
     of this request, your own request)
  5  broker, keychain or identity provider unavailable (also: the demo is not running)
  6  not possible in the grant's state (role already held: extend it; not pending; extension
     budget used up)
  7  request --wait: the request was denied
  8  request --wait: the request lapsed unapproved or was cancelled
  130  interrupted (Ctrl-C while waiting for a sign-in)`;

/** The exit code for a failure code. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
    case 'not_found':
    case 'grant_not_active':
      return EXIT.usage;
    case 'unauthenticated':
    case 'not_logged_in':
    case 'login_failed':
    case 'login_in_progress':
      return EXIT.auth;
    case 'forbidden':
    case 'policy_violation':
    case 'not_approver':
      return EXIT.denied;
    case 'unavailable':
    case 'broker_unreachable':
    case 'keychain_unavailable':
    case 'rate_limited':
      return EXIT.unavailable;
    case 'already_active':
    case 'invalid_state':
    case 'budget_exhausted':
      return EXIT.state;
    case 'conflict':
    case 'internal':
      return EXIT.unexpected;
    default:
      return assertNever(code);
  }
}
