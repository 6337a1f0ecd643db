/**
 * Which keychain item names a data dir uses. Every Hourglass item lives under service `hourglass`,
 * named by profile. The standard data dir (no `HOURGLASS_HOME`) keeps those names, so existing
 * users lose nothing; any other data dir adds a short hash of its resolved path to the profile
 * (`default@1a2b3c4d5e6f/session`), so two data dirs with the same profile in one keyring never
 * read, overwrite or wipe each other's items.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_PROFILE, profileDataDir, resolveBaseDir } from './config.ts';

/** Where a data dir's items are: its profile and, outside the standard data dir, its scope. */
export interface KeychainScope {
  profile: string;
  /** Short hash of the resolved data dir; null for the standard data dir (today's names). */
  dataDirHash: string | null;
}

/** `path` with symlinks resolved as far as it exists (a data dir not made yet keeps its name). */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute));
  }
}

/** The data dir `profile` has without `HOURGLASS_HOME`: the one whose items keep today's names. */
export function standardDataDir(profile: string, env: NodeJS.ProcessEnv): string {
  return profileDataDir(resolveBaseDir({ ...env, HOURGLASS_HOME: undefined }), profile);
}

/** The keychain scope of `profile`'s data dir `dataDir`. */
export function keychainScope(
  dataDir: string,
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): KeychainScope {
  const name = profile ?? DEFAULT_PROFILE;
  const own = canonicalPath(dataDir);
  if (own === canonicalPath(standardDataDir(name, env)))
    return { profile: name, dataDirHash: null };
  const hash = createHash('sha256').update(own).digest('hex').slice(0, 12);
  return { profile: name, dataDirHash: hash };
}

/**
 * The account prefix of a scope's items: '' for the standard `default` profile (items from before
 * profiles), `<profile>/` for the standard data dir's other profiles, `<profile>@<hash>/` elsewhere.
 * Profile names have no `@` or `/`, so no prefix is a prefix of another scope's.
 */
export function scopeAccountPrefix(scope: KeychainScope): string {
  if (scope.dataDirHash !== null) return `${scope.profile}@${scope.dataDirHash}/`;
  return scope.profile === DEFAULT_PROFILE ? '' : `${scope.profile}/`;
}

/** The account prefix of `profile`'s items in data dir `dataDir` (for tools and tests that look from outside). */
export const dataDirAccountPrefix = (
  dataDir: string,
  profile?: string,
  env: NodeJS.ProcessEnv = process.env,
): string => scopeAccountPrefix(keychainScope(dataDir, profile, env));
