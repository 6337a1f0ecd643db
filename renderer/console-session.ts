/**
 * The console page's session: the single-use bootstrap token from the URL fragment is traded
 * once for this tab's own session token, then removed from the location bar and history. The
 * session lives in sessionStorage (scoped to this exact origin and tab, unlike a cookie) so a
 * reload keeps working; it is sent only as a header.
 */
import {
  CONSOLE_BOOTSTRAP_PARAM,
  CONSOLE_SESSION_PATH,
  consoleSessionSchema,
  consoleTokenSchema,
  type ConsoleSession,
} from '../protocol/console-session.ts';

/** The `fetch` the bridge uses; injected so tests can hand in a real server's fetch. */
export type FetchPort = (input: string, init: RequestInit) => Promise<Response>;

/** The page's location and storage, injected for tests. */
export interface PagePort {
  /** `location.hash`, e.g. `#token=…`. */
  hash(): string;
  /** Replaces the current history entry's URL without the fragment. */
  dropFragment(): void;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  now(): number;
}

const storageKey = 'hourglass.console.session';

/** The browser page as a PagePort. */
export function browserPage(): PagePort {
  return {
    hash: () => window.location.hash,
    dropFragment: () =>
      window.history.replaceState(null, '', window.location.pathname + window.location.search),
    storage: typeof sessionStorage === 'undefined' ? null : sessionStorage,
    now: () => Date.now(),
  };
}

/** The bootstrap token in a fragment like `#token=…`, if well-formed. */
export function bootstrapFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get(CONSOLE_BOOTSTRAP_PARAM);
  return token !== null && consoleTokenSchema.safeParse(token).success ? token : null;
}

function stored(page: PagePort): ConsoleSession | null {
  const raw = page.storage?.getItem(storageKey);
  if (!raw) return null;
  try {
    const parsed = consoleSessionSchema.safeParse(JSON.parse(raw));
    if (parsed.success && Date.parse(parsed.data.expiresAt) > page.now()) return parsed.data;
  } catch {
    // Unreadable: fall through and forget it.
  }
  page.storage?.removeItem(storageKey);
  return null;
}

async function exchange(fetchPort: FetchPort, bootstrap: string): Promise<ConsoleSession | null> {
  try {
    const response = await fetchPort(CONSOLE_SESSION_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bootstrap }),
      credentials: 'omit',
    });
    if (!response.ok) return null;
    const parsed = consoleSessionSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Resolves this tab's session token: a fresh bootstrap in the fragment wins (it is removed from
 * the URL before anything else happens), else a stored unexpired session, else null.
 */
export async function openConsoleSession(
  fetchPort: FetchPort,
  page: PagePort,
): Promise<string | null> {
  const bootstrap = bootstrapFromFragment(page.hash());
  if (bootstrap !== null) {
    // The link is spent either way: keep it out of the address bar, history and screenshots.
    page.dropFragment();
    const session = await exchange(fetchPort, bootstrap);
    if (session) {
      page.storage?.setItem(storageKey, JSON.stringify(session));
      return session.session;
    }
  }
  return stored(page)?.session ?? null;
}

/** Forgets the stored session (the server refused it). */
export function forgetConsoleSession(page: PagePort): void {
  page.storage?.removeItem(storageKey);
}
