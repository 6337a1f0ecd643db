import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support.ts';
import { openBrokerDatabase } from './open-database.ts';

describe('the SQLite store file', () => {
  it('is created owner-only (0600), and so are its WAL and shared-memory files', async () => {
    const path = join(tempDir(), 'broker.sqlite');
    const db = await openBrokerDatabase(path);
    try {
      for (const file of [path, `${path}-wal`, `${path}-shm`])
        expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await db.destroy();
    }
  });
});
