"""`make help` lists every target with its one-line description."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import PROJECT_ROOT


def test_make_help_describes_every_target():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE)
    listed = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    described = dict(re.findall(r"^make (\S+) +(\S.*)$", listed, re.MULTILINE))
    assert sorted(described) == sorted(set(targets))
    phony = set(
        re.search(r"^\.PHONY:(.*?)(?<!\\)$", makefile, re.MULTILINE | re.DOTALL)
        .group(1)
        .replace("\\", " ")
        .split()
    )
    assert phony == set(targets)
