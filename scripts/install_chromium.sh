#!/usr/bin/env bash
# Installs Debian's Chromium, which the browser tests drive, when it is missing.
# (Playwright's own browser download is not used: the tests launch /usr/bin/chromium.)
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Need root or sudo to install chromium" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing: chromium"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
