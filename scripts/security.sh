#!/usr/bin/env bash
# `npm run security`: the trust suite that proves SECURITY.md, inside the throwaway services of
# with-services.sh. Every `*.security.test.ts`, plus the fault tests that live beside their code
# (listed below), then the broker's security files again on PostgreSQL. Each part prints its
# figure ("fuzz broker POST /v1/requests: 100 inputs, 0 crashes, ...") and fails on a violation.
#   npm run security              short counts (the same files run in `npm test` and CI)
#   npm run security -- --long    full counts: 100,000 inputs a route, 1,000,000 policies
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

long=0
for arg in "$@"; do
  case $arg in
    --long) long=1 ;;
    *) echo "hourglass security: unknown option $arg (use --long for the full counts)" >&2; exit 2 ;;
  esac
done
export HOURGLASS_SECURITY_LONG=$long

mapfile -t security_files < <(git ls-files --cached --others --exclude-standard '*.security.test.ts')
# Faults (SECURITY.md requirements 13, 18, 23, 24, 28): proved where the code lives.
fault_files=(
  broker/providers/postgres/postgres-irrevocable.test.ts
  agent/offline.integration.test.ts
  agent/session-backoff.test.ts
  agent/session-refresh-lock.integration.test.ts
  agent/keychain.vault.test.ts
  # Crash consistency: kill -9 of the broker during request + credential pairs, then reconcile.
  broker/lifecycle/orphan-crash.live.test.ts
)
mapfile -t broker_files < <(printf '%s\n' "${security_files[@]}" | grep '^broker/')
broker_files+=(broker/lifecycle/orphan-crash.live.test.ts)
export HOURGLASS_SECURITY_BROKER_FILES="${broker_files[*]}"

exec bash scripts/with-services.sh bash -c '
  set -uo pipefail
  status=0
  # The CLI bundle is what `hourglass` runs in the canary flows.
  npx tsx build/bundle-cli.ts || status=1
  npx vitest run --maxWorkers=1 "$@" || status=1
  echo "hourglass security: the broker files again on PostgreSQL" >&2
  HOURGLASS_TEST_STORE=postgres npx vitest run --maxWorkers=1 ${HOURGLASS_SECURITY_BROKER_FILES} || status=1
  exit $status' _ "${security_files[@]}" "${fault_files[@]}"
