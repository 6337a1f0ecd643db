#!/usr/bin/env bash
# Runs a command with the throwaway services the tests need: a temp HOME, a private D-Bus session
# with an unlocked gnome-keyring, and a PostgreSQL cluster in a temp dir. Tears them down after.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/ensure-packages.sh
if [ ! -d node_modules ]; then
  # Native addons build against the distribution's Node headers when present (no header download).
  [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ] && export npm_config_nodedir=/usr
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

work=$(mktemp -d /tmp/hourglass-test.XXXXXX)
chmod 755 "$work"
export HOURGLASS_TEST_ROOT=$work
export HOURGLASS_REAL_HOME=${HOME:-/root}
export npm_config_cache=${npm_config_cache:-$HOURGLASS_REAL_HOME/.npm}
export HOME=$work/home
mkdir -p "$HOME"
export PATH="$root/node_modules/.bin:$PATH"

pg_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cleanup() {
  bash scripts/pg-cluster.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
export HOURGLASS_TEST_PG_URL=$(bash scripts/pg-cluster.sh start "$work/pg" "$pg_port")

# The keyring daemon needs a session bus; dbus-run-session gives a private one and ends it after.
dbus-run-session -- bash -c '
  echo -n hourglass-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || {
    echo "hourglass: gnome-keyring-daemon could not start on the private session bus" >&2; exit 1; }
  exec "$@"' _ "$@"
