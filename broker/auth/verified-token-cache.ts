/**
 * Verified access tokens remembered by their SHA-256 until they stop being valid, so a client
 * that sends the same token on every call costs one signature check, not one per call.
 */
import { hash } from 'node:crypto';

/** A bounded map from token hash to what verifying it proved, each entry with its own end. */
export class VerifiedTokenCache<T> {
  readonly #entries = new Map<string, { value: T; untilMs: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The remembered value of `token` while `nowMs` is before its end. */
  get(token: string, nowMs: number): T | undefined {
    const key = hashOf(token);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (nowMs < entry.untilMs) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /** Remembers `value` for `token` until `untilMs`; when full, the oldest tenth goes first. */
  set(token: string, value: T, untilMs: number): void {
    const key = hashOf(token);
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      // In one pass: deleting one oldest entry per insert rescans the deleted slots every time.
      let drop = Math.max(1, Math.ceil(this.#max / 10));
      for (const oldest of this.#entries.keys()) {
        this.#entries.delete(oldest);
        if (--drop === 0) break;
      }
    }
    this.#entries.set(key, { value, untilMs });
  }
}

// Why a hash: the cache never holds a bearer token, so a heap dump of it lists no credential.
const hashOf = (token: string): string => hash('sha256', token, 'base64url');
