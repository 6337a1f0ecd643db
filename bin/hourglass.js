#!/usr/bin/env node
// Runs cli/main.ts through tsx from any working directory: no build step for Node code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../cli/main.ts', import.meta.url).href);
await main();
