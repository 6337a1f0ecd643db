#!/usr/bin/env node
// Runs the TypeScript broker directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { brokerProgram } = await import('../broker/main.ts');
await brokerProgram().parseAsync(process.argv);
