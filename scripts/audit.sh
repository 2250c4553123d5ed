#!/usr/bin/env bash
# Lists known advisories (PyPI's vulnerability data) for every package installed
# in the project's environment .venv. pip-audit lives in its own environment,
# .venv-audit, so auditing never changes what the assistant runs with.
#
# pip-audit reads a release's advisories from pypi.org/pypi/<name>/<version>/json.
# Where that address is blocked (a proxy that serves only the package index and
# pypi.org/pypi/<name>/json, as on this project's build machine), a package
# whose installed version is its latest release is audited from the latter,
# which carries the latest release's advisories; the others stay "not audited".
#
# Exit codes: 0 every package audited, no advisory; 1 advisories found;
# 3 some packages could not be audited (the report says which and why), so
# "no advisory" cannot be claimed for them.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT_PYTHON=".venv/bin/python"
AUDIT_VENV=".venv-audit"
PIP_AUDIT_VERSION="2.10.1"
SERVICE="${AUDIT_SERVICE:-pypi}"   # or osv

[ -x "$PROJECT_PYTHON" ] || { echo "No $PROJECT_PYTHON: run make setup first." >&2; exit 2; }

if [ ! -x "$AUDIT_VENV/bin/pip-audit" ]; then
  echo "Installing pip-audit $PIP_AUDIT_VERSION into $AUDIT_VENV ..." >&2
  python3 -m venv "$AUDIT_VENV"
  "$AUDIT_VENV/bin/pip" install --quiet --upgrade pip
  "$AUDIT_VENV/bin/pip" install --quiet "pip-audit==$PIP_AUDIT_VERSION"
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
# The exact versions installed in .venv, as pinned requirements; editable and
# local installs cannot be looked up and are left out; --all keeps pip, setuptools and wheel in.
"$PROJECT_PYTHON" -m pip freeze --all --exclude-editable | grep -E '^[A-Za-z0-9_.-]+==' > "$workdir/installed.txt"

echo "Auditing $(wc -l < "$workdir/installed.txt") packages installed in .venv" \
     "($("$PROJECT_PYTHON" --version)) against the $SERVICE vulnerability service"
# --no-deps --disable-pip: audit exactly these pins, without resolving anything.
# pip-audit exits 1 when it finds advisories; the summary below decides the exit code.
"$AUDIT_VENV/bin/pip-audit" --requirement "$workdir/installed.txt" --no-deps --disable-pip \
  --vulnerability-service "$SERVICE" --progress-spinner off \
  --format json --output "$workdir/report.json" 2> "$workdir/stderr.txt" || true
if [ ! -s "$workdir/report.json" ]; then
  cat "$workdir/stderr.txt" >&2
  exit 2
fi

"$AUDIT_VENV/bin/python" - "$workdir/report.json" "$workdir/installed.txt" <<'PY'
import collections
import json
import sys

import urllib.error
import urllib.request

report = json.load(open(sys.argv[1]))
installed = dict(line.strip().lower().split("==", 1) for line in open(sys.argv[2]) if "==" in line)
packages = report.get("dependencies", [])


def latest_release_audit(package):
    """The package audited from pypi.org/pypi/<name>/json when its installed
    version is the latest release (that page lists the latest's advisories)."""
    name, version = package["name"], package.get("version") or installed.get(package["name"].lower())
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as answer:
            project = json.load(answer)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if project.get("info", {}).get("version") != version:
        return None
    vulns = [
        {"id": v.get("id"), "fix_versions": v.get("fixed_in") or [], "aliases": v.get("aliases") or []}
        for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")
    ]
    return {"name": name, "version": version, "vulns": vulns, "via": "latest"}


unreachable = [p for p in packages if "not found on PyPI" in (p.get("skip_reason") or "")]
by_latest = {}
if unreachable and len(unreachable) == len([p for p in packages if p.get("skip_reason")]):
    print(f"pypi.org did not answer for {len(unreachable)} release(s): auditing those whose "
          "installed version is the latest release from pypi.org/pypi/<name>/json instead.")
    for package in unreachable:
        audit = latest_release_audit(package)
        if audit:
            by_latest[package["name"]] = audit
packages = [by_latest.get(p["name"], p) for p in packages]
skipped = [p for p in packages if p.get("skip_reason")]
audited = [p for p in packages if not p.get("skip_reason")]
found = [(p, v) for p in audited for v in p.get("vulns", [])]
if by_latest:
    print(f"Audited as the latest release: {len(by_latest)} package(s).")

if found:
    print(f"\n{'package':28} {'version':12} {'advisory':22} {'fixed in':18} aliases")
    for package, vuln in sorted(found, key=lambda pv: (pv[0]["name"], pv[1]["id"])):
        print(f"{package['name']:28} {package['version']:12} {vuln['id']:22} "
              f"{', '.join(vuln.get('fix_versions') or ['-']):18} {', '.join(vuln.get('aliases') or [])}")
if skipped:
    reasons = collections.Counter(p["skip_reason"].split(":")[0] for p in skipped)
    print(f"\nNot audited: {len(skipped)} package(s)")
    for reason, count in reasons.most_common():
        print(f"  {count:4}  {reason}")
    print("  " + ", ".join(f"{p['name']}=={p.get('version') or installed.get(p['name'].lower(), '?')}"
                           for p in skipped[:12])
          + (" ..." if len(skipped) > 12 else ""))

print(f"\nSummary: {len(audited)} audited, {len(skipped)} not audited, "
      f"{len(found)} advisory(ies) in {len({p['name'] for p, _ in found})} package(s).")
if found:
    sys.exit(1)
if skipped:
    print("The result is incomplete: the vulnerability service did not answer for the packages "
          "above (offline, or a proxy that blocks pypi.org/pypi/<name>/<version>/json), and they "
          "are not at their latest release. Run make audit where pypi.org is fully reachable, or "
          "with AUDIT_SERVICE=osv where api.osv.dev is. docs/security.md lists advisories checked by hand.")
    sys.exit(3)
print("No known advisories.")
PY
