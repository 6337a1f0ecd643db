/** A per-key fixed-window rate limiter. Pure over an injected time. */

/** Counts requests per key per minute. */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #limit: number;

  constructor(limitPerMinute: number) {
    this.#limit = limitPerMinute;
  }

  /** Counts one request for `key`; false when the key is over its limit for the current minute. */
  allow(key: string, now: Date): boolean {
    const minute = Math.floor(now.getTime() / 60_000);
    const window = this.#windows.get(key);
    if (!window || window.start !== minute) {
      if (this.#windows.size > 10_000) this.#prune(minute);
      this.#windows.set(key, { start: minute, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.#limit;
  }

  /** Whether `key` is already over its limit this minute (counts nothing). */
  over(key: string, now: Date): boolean {
    const window = this.#windows.get(key);
    return (
      window !== undefined &&
      window.start === Math.floor(now.getTime() / 60_000) &&
      window.count >= this.#limit
    );
  }

  #prune(minute: number): void {
    for (const [key, window] of this.#windows)
      if (window.start !== minute) this.#windows.delete(key);
  }
}
