import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{protocol,http-gate,broker,agent,cli,electron,renderer,demo,build,scripts}/**/*.test.{ts,tsx}',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
