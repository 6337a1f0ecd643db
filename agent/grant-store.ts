/** Grant metadata (never secrets) in `<dataDir>/grants.json`, mode 0600, written atomically. */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  grantIdSchema,
  instantSchema,
  providerKindSchema,
  roleNameSchema,
} from '../protocol/index.ts';

/** What the agent remembers about a grant it holds a secret for. */
export const grantRecordSchema = z.object({
  id: grantIdSchema,
  role: roleNameSchema,
  provider: providerKindSchema,
  grantedSeconds: z.number().int().positive(),
  expiresAt: instantSchema,
  credentialStored: z.boolean(),
  wipedAt: instantSchema.nullable(),
});
export type GrantRecord = z.infer<typeof grantRecordSchema>;

const fileSchema = z.object({
  /** Broker clock minus local clock at the last broker response. */
  offsetMs: z.number().finite(),
  grants: z.array(grantRecordSchema),
});
type StoreFile = z.infer<typeof fileSchema>;

/** The grant metadata store. */
export interface GrantStore {
  readonly path: string;
  list(): GrantRecord[];
  get(id: string): GrantRecord | undefined;
  upsert(record: GrantRecord): void;
  offsetMs(): number;
  setOffsetMs(offsetMs: number): void;
}

/** Creates the directory `dir` owner-only (0700). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function load(path: string): StoreFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { offsetMs: 0, grants: [] };
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: handled below like a schema mismatch.
  }
  // Keep the unreadable file for diagnosis instead of overwriting it; the scheduler wipes the
  // keychain items this store no longer knows, so no secret outlives it.
  renameSync(path, `${path}.unreadable-${Date.now()}`);
  return { offsetMs: 0, grants: [] };
}

/** Opens (or creates) the grant store in `dataDir`. */
export function openGrantStore(dataDir: string): GrantStore {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, 'grants.json');
  let state = load(path);
  // Memory follows the disk: a failed write throws and leaves both as they were, so a retry
  // does the work again instead of believing it done.
  const save = (next: StoreFile) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
    state = next;
  };
  return {
    path,
    list: () => state.grants.map((g) => ({ ...g })),
    get: (id) => state.grants.find((g) => g.id === id),
    upsert: (record) => {
      const rest = state.grants.filter((g) => g.id !== record.id);
      save({ ...state, grants: [...rest, grantRecordSchema.parse(record)] });
    },
    offsetMs: () => state.offsetMs,
    setOffsetMs: (offsetMs) => {
      if (offsetMs === state.offsetMs) return;
      save({ ...state, offsetMs });
    },
  };
}
