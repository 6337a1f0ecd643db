/** Test helpers shared by broker tests: a temp SQLite database and a movable clock. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from './ports.ts';

/** A fresh temp directory for a test's files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hourglass-broker-'));
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
}
