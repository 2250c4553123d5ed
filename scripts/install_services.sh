#!/usr/bin/env bash
# Installs the services a scaled-out deployment (and the `replicas` tests) use:
# PostgreSQL for the shared tracker store and Redis for the shared lock store.
# Only what is missing is installed, from Debian's packages.
# Prints the directory holding initdb and pg_ctl on its last line.
set -euo pipefail

find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

missing=()
find_pg_bin >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update
  # The packages start system-wide services on install where an init system runs;
  # the tests start their own throwaway instances on free ports instead.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

pg_bin="$(find_pg_bin)" || { echo "initdb/pg_ctl not found under /usr/lib/postgresql/*/bin" >&2; exit 1; }
echo "redis-server: $(command -v redis-server)"
echo "$pg_bin"
