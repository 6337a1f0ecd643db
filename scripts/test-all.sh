#!/usr/bin/env bash
# `npm test`: every suite, with its own throwaway services.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec bash "$root/scripts/with-services.sh" bash "$root/scripts/run-suites.sh"
