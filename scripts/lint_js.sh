#!/usr/bin/env bash
# Checks that the pages' JavaScript (web/) uses no syntax or browser API newer than the
# browsers in package.json's "browserslist", then that the check itself still refuses the
# code in tests/js-compat/. Installs the pinned ESLint from package-lock.json when needed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null 2>&1 || { echo "lint_js: Node.js 20 and npm are needed" >&2; exit 1; }

# npm ci again whenever package-lock.json differs from the one last installed.
installed=node_modules/.installed-package-lock.json
if ! cmp -s package-lock.json "$installed"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$installed"
fi

npx --no-install eslint --max-warnings 0 web
node scripts/check_lint_catches.mjs
echo "lint_js: web/ runs in every browser of package.json's browserslist"
