#!/usr/bin/env bash
# Prints the path of a Python that Rasa 3.6 supports (3.10, else 3.9 or 3.8).
# Exits 1 with advice when none is installed.
set -u

supported() {
  "$1" -c 'import sys, venv; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null
}

candidates=()
for minor in 10 9 8; do
  command -v "python3.$minor" >/dev/null 2>&1 && candidates+=("$(command -v "python3.$minor")")
  pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for path in "$pyenv_root"/versions/3."$minor".*/bin/python; do
    [ -x "$path" ] && candidates+=("$path")
  done
  for path in /usr/bin/python3."$minor" /usr/local/bin/python3."$minor"; do
    [ -x "$path" ] && candidates+=("$path")
  done
done
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")

for candidate in "${candidates[@]}"; do
  if supported "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

cat >&2 <<'MSG'
No Python 3.8-3.10 interpreter was found, and Rasa 3.6 runs on no other.
Install Python 3.10, then run the command again. For example:
  with pyenv:      pyenv install 3.10.13
  on Debian/Ubuntu: apt-get install python3.10 python3.10-venv
  on macOS:         brew install python@3.10
MSG
exit 1
