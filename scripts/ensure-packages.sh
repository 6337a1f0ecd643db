#!/usr/bin/env bash
# Makes sure the Debian packages the tests need are present. As root it installs them;
# otherwise it prints the exact install line and fails. It never skips silently.
set -euo pipefail

PACKAGES=(gnome-keyring libsecret-tools openssh-server chromium xvfb xauth zsh fish faketime)
# command -> package that provides it
declare -A NEEDS=(
  [gnome-keyring-daemon]=gnome-keyring
  [secret-tool]=libsecret-tools
  [sshd]=openssh-server
  [chromium]=chromium
  [xvfb-run]=xvfb
  [xauth]=xauth
  [dbus-run-session]=dbus
  [zsh]=zsh
  [fish]=fish
  [faketime]=faketime
)
PG_BIN=${HOURGLASS_PG_BIN:-/usr/lib/postgresql/15/bin}

missing=()
for cmd in "${!NEEDS[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("${NEEDS[$cmd]}")
  fi
done
[ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]} dbus postgresql-15"
if [ "$(id -u)" = 0 ]; then
  echo "hourglass: installing missing Debian packages: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${PACKAGES[@]}" dbus postgresql-15 >/dev/null
else
  echo "hourglass: the tests need Debian packages that are missing: ${missing[*]}" >&2
  echo "hourglass: install them with:  sudo sh -c '$line'" >&2
  exit 1
fi
