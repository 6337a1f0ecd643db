// Module resolve hook for the main-process harness: `electron` (from our code and from
// electron-store alike) resolves to the recording stand-in instead of the missing runtime.
/* global URL */
const standin = new URL('./electron-standin.ts', import.meta.url).href;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: standin, shortCircuit: true, format: 'module' };
  return next(specifier, context);
}
