/**
 * Grant secrets over the keychain, grouped into deadline buckets (see grant-secrets-layout.ts).
 * An in-memory index (item → grant ids; never a secret) is built from one keychain listing before
 * anything is served; that first load deletes every bucket whose second has begun, every corrupt
 * item and every secret of a grant the agent does not hold. Writes to one item are serialised.
 * Every failure is an answer, never a fallback: a secret that cannot be proven gone is not gone.
 */
import type { Result } from '../protocol/index.ts';
import { ok } from '../protocol/index.ts';
import type { Held } from './grant-secrets-layout.ts';
import {
  BUCKET_CAPACITY,
  bucketSecond,
  earliestWipe,
  formatBucket,
  grantIdsOf,
  isDue,
  parseBucket,
  parseGrantAccount,
  shardFor,
  sweepListing,
} from './grant-secrets-layout.ts';
import type { Vault } from './keychain.vault.ts';
import { createKeyedLock, mapLimit } from './grant-secrets-support.ts';

/** A secret to keep until `expiresAt` (the broker's deadline). */
export interface GrantSecretEntry {
  grantId: string;
  expiresAt: string;
  secret: string;
}

/** The grant-secret store every agent part goes through. */
export interface GrantSecrets {
  /** Loads the index now (a no-op once loaded), sweeping what must not be kept. */
  load(): Promise<Result<void>>;
  /** Keeps the secret in its deadline's bucket; a copy in another bucket is removed after. */
  put(entry: GrantSecretEntry): Promise<Result<void>>;
  /** Keeps several secrets with one write per bucket item (seeding, re-sign-in). */
  putMany(entries: readonly GrantSecretEntry[]): Promise<Result<void>>;
  /** The grant's secret, or null when none is held. A corrupt item is wiped and reads as none. */
  read(grantId: string): Promise<Result<string | null>>;
  /**
   * Removes the grants' secrets: whole items when all their grants go, else a rewrite without
   * them. `onGone` hears each group of ids as soon as no copy is left. Answers the ids gone.
   */
  remove(grantIds: readonly string[], onGone?: (ids: string[]) => void): Promise<Set<string>>;
  /** Deletes every bucket whose second has begun (broker time), whichever grants it holds. */
  expire(): Promise<Result<void>>;
  /** The earliest bucket second (broker epoch ms), to wake up for; null when none. */
  nextWipeAt(): number | null;
  /** Deletes every grant item of the profile (sign-out); answers how many secrets went. */
  removeAll(): Promise<Result<number>>;
}

/** What the layer needs. */
export interface GrantSecretsDeps {
  vault: Vault;
  /** The broker's now (epoch ms): a bucket whose second has begun is wiped. */
  brokerNow: () => number;
  /** Whether the agent still holds this grant; other secrets are swept at load. */
  keep: (grantId: string) => boolean;
}

/** Concurrent item operations: the Secret Service serialises them, so a few hide the round trips. */
const ITEM_CONCURRENCY = 4;

/** Creates the layer over `deps.vault`; the index loads on first use (or `load()`). */
export function createGrantSecrets(deps: GrantSecretsDeps): GrantSecrets {
  let index: Map<string, Held> | null = null;
  let loading: Promise<Result<void>> | null = null;
  const withLock = createKeyedLock();
  const vault = deps.vault;

  const held = () => index ?? new Map<string, Held>();
  const accountsOf = (id: string) =>
    [...held()].filter(([, h]) => h.ids.has(id)).map(([account]) => account);

  /** Builds the index from one listing, deleting what must not be kept. */
  async function loadOnce(): Promise<Result<void>> {
    const listed = await vault.entries();
    if (!listed.ok) return listed;
    const {
      held: next,
      doomed,
      rewrites,
    } = sweepListing(listed.value, deps.brokerNow(), deps.keep);
    for (const account of doomed) {
      const removed = await vault.remove(account);
      if (!removed.ok) return removed;
    }
    for (const [account, secrets] of rewrites) {
      const stored = await vault.store(account, formatBucket(secrets));
      if (!stored.ok) return stored;
    }
    index = next;
    return ok(undefined);
  }

  function load(): Promise<Result<void>> {
    if (index) return Promise.resolve(ok(undefined));
    loading ??= loadOnce().finally(() => {
      loading = null;
    });
    return loading;
  }

  const forget = (account: string) => held().delete(account);

  /** Deletes an item (under its lock) and forgets it. */
  async function deleteItem(account: string): Promise<Result<boolean>> {
    const removed = await vault.remove(account);
    if (removed.ok) forget(account);
    return removed;
  }

  /** The item's secrets as the keychain has them: none when it is missing; a corrupt item is deleted. */
  async function readItem(account: string): Promise<Result<Map<string, string>>> {
    const text = await vault.read(account);
    if (!text.ok) return text;
    if (text.value === null) {
      forget(account);
      return ok(new Map());
    }
    const item = parseGrantAccount(account);
    if (item?.kind === 'legacy') return ok(new Map([[item.grantId, text.value]]));
    const secrets = parseBucket(text.value);
    if (secrets) return ok(secrets);
    const removed = await deleteItem(account);
    return removed.ok ? ok(new Map()) : removed;
  }

  /** Writes `secrets` to a bucket item, or deletes it when none is left; keeps the index true. */
  async function writeItem(account: string, secrets: Map<string, string>): Promise<Result<void>> {
    const item = parseGrantAccount(account);
    if (secrets.size === 0 || !item || item.kind === 'legacy') {
      const removed = await deleteItem(account);
      return removed.ok ? ok(undefined) : removed;
    }
    const stored = await vault.store(account, formatBucket(secrets));
    if (!stored.ok) return stored;
    held().set(account, { item, ids: new Set(secrets.keys()) });
    return ok(undefined);
  }

  /** Adds `entries` to the item at `account`, creating it if needed. */
  const addTo = (account: string, entries: ReadonlyMap<string, string>) =>
    withLock(account, async (): Promise<Result<void>> => {
      // Read even when the index knows no such item: something else may have written it since the
      // listing (the data dir's migration, an agent of an older version), and no secret is lost.
      const current = await readItem(account);
      if (!current.ok) return current;
      for (const [id, secret] of entries) current.value.set(id, secret);
      return writeItem(account, current.value);
    });

  /** Takes `ids` out of the item at `account` (deletes it when nothing is left). */
  const dropFrom = (account: string, ids: ReadonlySet<string>) =>
    withLock(account, async (): Promise<Result<void>> => {
      const entry = held().get(account);
      if (!entry) return ok(undefined);
      if ([...entry.ids].every((id) => ids.has(id))) {
        const removed = await deleteItem(account);
        return removed.ok ? ok(undefined) : removed;
      }
      const current = await readItem(account);
      if (!current.ok) return current;
      for (const id of ids) current.value.delete(id);
      return writeItem(account, current.value);
    });

  /** Removes every copy of `id` other than the one at `keepAccount`; leftovers expire with their bucket. */
  async function dropOtherCopies(ids: readonly string[], keepAccount: (id: string) => string) {
    for (const id of ids)
      for (const account of accountsOf(id))
        if (account !== keepAccount(id)) await dropFrom(account, new Set([id]));
  }

  return {
    load,
    async put({ grantId, expiresAt, secret }) {
      const ready = await load();
      if (!ready.ok) return ready;
      const second = bucketSecond(expiresAt);
      const same = accountsOf(grantId).find((a) => {
        const item = held().get(a)?.item;
        return item?.kind === 'bucket' && item.second === second;
      });
      const target = same ?? shardFor(held(), second, false);
      // The new copy first: a crash before the old one goes leaves it to expire with its bucket.
      const written = await addTo(target, new Map([[grantId, secret]]));
      if (!written.ok) return written;
      await dropOtherCopies([grantId], () => target);
      return ok(undefined);
    },
    async putMany(entries) {
      const ready = await load();
      if (!ready.ok) return ready;
      const bySecond = new Map<number, GrantSecretEntry[]>();
      for (const e of entries) {
        const second = bucketSecond(e.expiresAt);
        bySecond.set(second, [...(bySecond.get(second) ?? []), e]);
      }
      const target = new Map<string, string>();
      for (const [second, group] of bySecond)
        for (let i = 0; i < group.length; i += BUCKET_CAPACITY) {
          const chunk = group.slice(i, i + BUCKET_CAPACITY);
          const account = shardFor(held(), second, true);
          const written = await addTo(account, new Map(chunk.map((e) => [e.grantId, e.secret])));
          if (!written.ok) return written;
          for (const e of chunk) target.set(e.grantId, account);
        }
      await dropOtherCopies([...target.keys()], (id) => target.get(id) ?? '');
      return ok(undefined);
    },
    async read(grantId) {
      const ready = await load();
      if (!ready.ok) return ready;
      // The latest bucket first: during a move the new copy is the one to hand out.
      const second = (a: string) => {
        const item = held().get(a)?.item;
        return item?.kind === 'bucket' ? item.second : -1;
      };
      for (const account of accountsOf(grantId).sort((a, b) => second(b) - second(a))) {
        const secrets = await withLock(account, () => readItem(account));
        if (!secrets.ok) return secrets;
        const secret = secrets.value.get(grantId);
        if (secret !== undefined) return ok(secret);
      }
      return ok(null);
    },
    remove: (grantIds, onGone) => removeGrants(grantIds, onGone),
    async expire() {
      const ready = await load();
      if (!ready.ok) return ready;
      const now = deps.brokerNow();
      const due = [...held()].filter(([, h]) => isDue(h.item, now)).map(([a]) => a);
      const removed = await mapLimit(due, ITEM_CONCURRENCY, (a) =>
        withLock(a, () => deleteItem(a)),
      );
      return removed.find((r) => !r.ok) ?? ok(undefined);
    },
    nextWipeAt: () => earliestWipe(held()),
    removeAll: () => removeEverything(),
  };

  async function removeGrants(
    grantIds: readonly string[],
    onGone?: (ids: string[]) => void,
  ): Promise<Set<string>> {
    const gone = new Set<string>();
    if (!(await load()).ok) return gone;
    const byAccount = new Map<string, Set<string>>();
    for (const id of new Set(grantIds)) {
      const accounts = accountsOf(id);
      if (accounts.length === 0) gone.add(id);
      for (const a of accounts) byAccount.set(a, (byAccount.get(a) ?? new Set()).add(id));
    }
    let pending = [...gone];
    const flush = () => {
      if (pending.length > 0) onGone?.(pending);
      pending = [];
    };
    await mapLimit([...byAccount], ITEM_CONCURRENCY, async ([account, ids]) => {
      await dropFrom(account, ids);
      for (const id of ids)
        if (!gone.has(id) && accountsOf(id).length === 0) {
          pending.push(id);
          gone.add(id);
        }
      // Legacy items go one grant at a time: announce those in groups, buckets as each goes.
      if (parseGrantAccount(account)?.kind === 'bucket' || pending.length >= BUCKET_CAPACITY)
        flush();
    });
    flush();
    return gone;
  }

  async function removeEverything(): Promise<Result<number>> {
    const listed = await vault.entries();
    if (!listed.ok) return listed;
    let count = 0;
    for (const { account, secret } of listed.value) {
      const item = parseGrantAccount(account);
      if (!item) continue;
      const removed = await withLock(account, () => deleteItem(account));
      if (!removed.ok) return removed;
      if (removed.value) count += grantIdsOf(item, secret)?.length ?? 0;
    }
    index = new Map();
    return ok(count);
  }
}
