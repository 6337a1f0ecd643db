// `node --import tsx --import ./electron/harness/register-standin.mjs electron/main.ts`:
// runs the real main process under Node with the recording `electron` stand-in.
import { register } from 'node:module';

register('./standin-hooks.mjs', import.meta.url);
