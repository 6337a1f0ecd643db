/**
 * How grant secrets are laid out in the keychain. A Secret Service write or delete costs 10–40 ms
 * and grows with the number of items, so secrets are grouped into a few items by deadline: item
 * account `grants:<deadline-epoch-second>[:<shard>]` holds a JSON map grantId → secret, at most
 * `BUCKET_CAPACITY` secrets each. A whole item is deleted when its second begins (never late, at
 * most < 1 s early). Items from before (`grant:<id>`, one per grant) are still read and wiped.
 */
import { z } from 'zod';

/** Prefix of a deadline bucket item's account. */
export const BUCKET_ACCOUNT_PREFIX = 'grants:';
/** Prefix of a legacy one-grant item's account (read and wiped, never written). */
export const LEGACY_ACCOUNT_PREFIX = 'grant:';
/** Most secrets in one bucket item: an early revoke rewrites the item, so it stays small. */
export const BUCKET_CAPACITY = 64;

/** What a grant account names. */
export type GrantItem =
  | { kind: 'bucket'; account: string; second: number; shard: number }
  | { kind: 'legacy'; account: string; grantId: string };

/** Account of shard `shard` of the bucket for `second` (shard 0 has no suffix). */
export function bucketAccount(second: number, shard: number): string {
  return `${BUCKET_ACCOUNT_PREFIX}${second}${shard > 0 ? `:${shard}` : ''}`;
}

/** Account of a legacy one-grant item (only for reading and wiping). */
export const legacyAccount = (grantId: string): string => `${LEGACY_ACCOUNT_PREFIX}${grantId}`;

const BUCKET_PATTERN = /^grants:(\d{1,15})(?::([1-9]\d{0,5}))?$/;

/** Parses a profile-relative account: a bucket, a legacy grant item, or null (not a grant item). */
export function parseGrantAccount(account: string): GrantItem | null {
  const bucket = BUCKET_PATTERN.exec(account);
  if (bucket)
    return { kind: 'bucket', account, second: Number(bucket[1]), shard: Number(bucket[2] ?? 0) };
  if (account.startsWith(LEGACY_ACCOUNT_PREFIX) && account.length > LEGACY_ACCOUNT_PREFIX.length)
    return { kind: 'legacy', account, grantId: account.slice(LEGACY_ACCOUNT_PREFIX.length) };
  return null;
}

/**
 * The bucket second of a broker deadline: its epoch second, rounded down, so the bucket is wiped
 * no later than any of its grants' deadlines. An unreadable deadline is second 0: wiped at once.
 */
export function bucketSecond(expiresAt: string): number {
  const ms = Date.parse(expiresAt);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
}

/** The broker instant (epoch ms) a grant's secret is wiped at: the start of its deadline's second. */
export const wipeInstant = (expiresAt: string): number => bucketSecond(expiresAt) * 1000;

const bucketSchema = z.object({
  v: z.literal(1),
  secrets: z.record(z.string().min(1), z.string()),
});

/** The text of a bucket item holding `secrets`. */
export function formatBucket(secrets: ReadonlyMap<string, string>): string {
  return JSON.stringify({ v: 1, secrets: Object.fromEntries(secrets) });
}

/** The secrets of a bucket item, or null when the text is not a bucket (corrupt: never trusted). */
export function parseBucket(text: string): Map<string, string> | null {
  try {
    const parsed = bucketSchema.safeParse(JSON.parse(text));
    return parsed.success ? new Map(Object.entries(parsed.data.secrets)) : null;
  } catch {
    return null;
  }
}

/** The grant ids an item holds, from its account and text; null when the item is corrupt. */
export function grantIdsOf(item: GrantItem, text: string): string[] | null {
  if (item.kind === 'legacy') return [item.grantId];
  const secrets = parseBucket(text);
  return secrets ? [...secrets.keys()] : null;
}

/**
 * The grant secrets a profile holds (grant id → secret), from every item of the keychain service
 * (`findCredentials`): for tests and tools that look at the keychain from outside the agent.
 * `accountPrefix` is the profile's (`alice/`, or '' for the default profile).
 */
export function grantSecretsInItems(
  items: ReadonlyArray<{ account: string; password: string }>,
  accountPrefix: string,
): Map<string, string> {
  const held = new Map<string, string>();
  for (const { account, password } of items) {
    if (!account.startsWith(accountPrefix)) continue;
    const own = account.slice(accountPrefix.length);
    if (accountPrefix === '' && own.includes('/')) continue;
    const item = parseGrantAccount(own);
    if (item?.kind === 'legacy') held.set(item.grantId, password);
    if (item?.kind === 'bucket') for (const [id, s] of parseBucket(password) ?? []) held.set(id, s);
  }
  return held;
}

/** An item the layer keeps: what it is and which grants it holds (never their secrets). */
export interface Held {
  item: GrantItem;
  ids: Set<string>;
}

/** Whether `item` is a bucket whose second has begun at broker instant `now` (epoch ms). */
export const isDue = (item: GrantItem, now: number): boolean =>
  item.kind === 'bucket' && item.second * 1000 <= now;

/** What a start-up listing leaves: the index, the items to delete, the items to rewrite. */
export interface Sweep {
  held: Map<string, Held>;
  doomed: string[];
  rewrites: Array<[string, Map<string, string>]>;
}

/**
 * Sorts a listing of the profile's keychain items: a corrupt item, a bucket whose second has begun
 * and an item of only grants `keep` refuses are doomed; a bucket with some such grants is rewritten
 * without them. Fail closed: nothing that cannot be read is trusted.
 */
export function sweepListing(
  entries: ReadonlyArray<{ account: string; secret: string }>,
  now: number,
  keep: (grantId: string) => boolean,
): Sweep {
  const sweep: Sweep = { held: new Map(), doomed: [], rewrites: [] };
  for (const { account, secret } of entries) {
    const item = parseGrantAccount(account);
    if (!item) continue;
    const ids = grantIdsOf(item, secret);
    const kept = ids?.filter(keep) ?? [];
    if (ids === null || isDue(item, now) || kept.length === 0) {
      sweep.doomed.push(account);
      continue;
    }
    if (kept.length < ids.length) {
      const secrets = parseBucket(secret) ?? new Map<string, string>();
      for (const id of ids) if (!kept.includes(id)) secrets.delete(id);
      sweep.rewrites.push([account, secrets]);
    }
    sweep.held.set(account, { item, ids: new Set(kept) });
  }
  return sweep;
}

/** The account to add a secret due in `second` to: the first shard with room, else a new shard. */
export function shardFor(held: ReadonlyMap<string, Held>, second: number, fresh: boolean): string {
  const shards = [...held.values()].flatMap((h) =>
    h.item.kind === 'bucket' && h.item.second === second ? [{ ...h.item, size: h.ids.size }] : [],
  );
  const room = fresh ? undefined : shards.find((h) => h.size < BUCKET_CAPACITY);
  if (room) return room.account;
  return bucketAccount(second, Math.max(-1, ...shards.map((h) => h.shard)) + 1);
}

/** The earliest bucket second among `held` (broker epoch ms), or null when none. */
export function earliestWipe(held: ReadonlyMap<string, Held>): number | null {
  const seconds = [...held.values()].flatMap((h) =>
    h.item.kind === 'bucket' ? [h.item.second * 1000] : [],
  );
  return seconds.length > 0 ? Math.min(...seconds) : null;
}
