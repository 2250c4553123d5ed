#!/usr/bin/env bash
# Creates .venv with a supported Python and the pinned dependencies.
# Does nothing when .venv already matches requirements.txt and constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

# pip 26.3: no known advisory (pip<25.3 has CVE-2025-8869); it resolves the same
# set as before. wheel and setuptools come from the requirements, held by Rasa
# 3.6.21's pins (docs/security.md lists their advisories).
PIP_VERSION=26.3
stamp=.venv/.installed
# The pip version is part of the stamp, so an existing .venv gets it too.
wanted=$( (cat requirements.txt constraints.txt; echo "pip==$PIP_VERSION") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && .venv/bin/python -c "import rasa" 2>/dev/null; then
  exit 0
fi

python=$(scripts/find_python.sh)
if [ ! -x .venv/bin/python ] || ! scripts/find_python.sh >/dev/null 2>&1 \
   || ! .venv/bin/python -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)'; then
  echo "Creating .venv with $python ($("$python" --version 2>&1))"
  rm -rf .venv
  "$python" -m venv .venv
fi

echo "Installing the pinned dependencies into .venv (a few minutes the first time)"
.venv/bin/python -m pip install --quiet --upgrade "pip==$PIP_VERSION"
.venv/bin/python -m pip install --quiet -r requirements.txt -c constraints.txt
.venv/bin/python -m pip check
echo "$wanted" > "$stamp"
