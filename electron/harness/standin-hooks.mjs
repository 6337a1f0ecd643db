// Module resolve hook for the main-process harness: `electron` (from our code and from
// electron-store alike) resolves to the recording stand-in instead of the missing runtime.
// With HOURGLASS_STANDIN_RESOLVE_LOG set, every resolution of the demo or oidc-provider is logged
// there, so a test can show a normal start never loads them.
/* global URL, process */
import { appendFileSync } from 'node:fs';

const standin = new URL('./electron-standin.ts', import.meta.url).href;
const log = process.env.HOURGLASS_STANDIN_RESOLVE_LOG;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: standin, shortCircuit: true, format: 'module' };
  const resolved = await next(specifier, context);
  if (log && (specifier === 'oidc-provider' || resolved.url.includes('/demo/'))) {
    appendFileSync(log, `${resolved.url}\n`);
  }
  return resolved;
}
