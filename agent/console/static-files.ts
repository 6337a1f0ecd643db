/** Serves the built renderer from one directory, refusing any path that leaves it. */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Outcome of resolving a URL path to a file under the static root. */
export type StaticLookup =
  | { status: 'success'; file: string; contentType: string }
  | { status: 'error'; reason: 'bad_path' | 'not_found' };

/**
 * Maps a URL pathname to a file inside `root`. Path traversal (`..`, encoded slashes, NUL,
 * backslashes) is refused before touching the disk; unknown file types are not served.
 */
export function resolveStaticPath(root: string, pathname: string): StaticLookup {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 'error', reason: 'bad_path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) {
    return { status: 'error', reason: 'bad_path' };
  }
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  if (!file.startsWith(base + sep)) return { status: 'error', reason: 'bad_path' };
  const contentType = contentTypes[extname(file).toLowerCase()];
  if (!contentType) return { status: 'error', reason: 'not_found' };
  return { status: 'success', file, contentType };
}

/** Reads a resolved static file; `null` when it does not exist or is not a regular file. */
export async function readStaticFile(file: string): Promise<Buffer | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? await readFile(file) : null;
  } catch {
    return null;
  }
}
