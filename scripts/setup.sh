#!/usr/bin/env bash
# Creates .venv with a supported Python and the pinned dependencies.
# Does nothing when .venv already matches requirements.txt and constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.installed
wanted=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
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
.venv/bin/python -m pip install --quiet --upgrade "pip<25" wheel
.venv/bin/python -m pip install --quiet -r requirements.txt -c constraints.txt
.venv/bin/python -m pip check
echo "$wanted" > "$stamp"
