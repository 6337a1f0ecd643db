/** Small concurrency helpers for the grant-secret layer: a per-key mutex and a bounded map. */

/** Runs a task once every earlier task on the same key has settled (one keychain item at a time). */
export type KeyedLock = <T>(key: string, run: () => Promise<T>) => Promise<T>;

/** A fresh per-key mutex; keys with nothing queued hold no memory. */
export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const result = before.then(run, run);
    const settled = result.catch(() => undefined);
    tails.set(key, settled);
    void settled.then(() => {
      if (tails.get(key) === settled) tails.delete(key);
    });
    return result;
  };
}

/** Maps `items` through `run` with at most `limit` in flight; answers results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
