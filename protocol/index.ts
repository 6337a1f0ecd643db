/** The Hourglass contracts: zod schemas and their types. No I/O. */
export * from './errors.ts';
export * from './result.ts';
export * from './duration.ts';
export * from './broker-api.ts';
export * from './agent-api.ts';
export * from './plain-text.ts';
