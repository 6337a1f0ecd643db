#!/usr/bin/env bash
# Runs every suite (vitest, then Playwright) inside the services set up by with-services.sh and
# prints one closing line: "N passed, N failed" summed over all suites.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${HOURGLASS_TEST_ROOT:?run through scripts/with-services.sh}/results
mkdir -p "$out"

status=0
npx vite build --config renderer/vite.config.ts --logLevel error || status=1
# The CLI bundle is what `hourglass` runs; the suites exercise it, not only the sources.
npx tsx build/bundle-cli.ts || status=1

# HOURGLASS_TEST_PRODUCTION_INSTALL: the broker's `npm ci --omit=dev` install runs for real (a minute).
HOURGLASS_TEST_PRODUCTION_INSTALL=${HOURGLASS_TEST_PRODUCTION_INSTALL:-1} npx vitest run --exclude '**/*.integration.test.ts' \
  --reporter=default --reporter=json --outputFile.json="$out/vitest.json" || status=1
# The agent/CLI integration files, four at a time: they mostly wait (IdP, deadlines, child
# processes), and each data dir has keychain items of its own (agent/keychain-scope.ts), so
# two files signed in on profile `default` no longer overwrite each other's session.
npx vitest run --maxWorkers=4 integration.test \
  --reporter=default --reporter=json --outputFile.json="$out/vitest-integration.json" || status=1
# The broker suite again on PostgreSQL (the production backend): a fresh schema per database.
HOURGLASS_TEST_STORE=postgres npx vitest run broker/ \
  --reporter=default --reporter=json --outputFile.json="$out/vitest-postgres.json" || status=1

PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" \
  npx playwright test --reporter=list,json || status=1

node scripts/summarize-results.mjs "$out/vitest.json" "$out/playwright.json" \
  "$out/vitest-integration.json" "$out/vitest-postgres.json" || status=1
exit $status
