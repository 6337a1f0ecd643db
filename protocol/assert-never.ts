/** The exhaustiveness guard, alone in a file without zod so lean bundles (the CLI fast path) can use it. */

/** Exhaustiveness guard for switches over closed unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
