"""Which wording an answer was given with: a digest of knowledge/ and clinic/.

Computed once when the action server starts (the wording is read at start-up
too) and sent in every reply's `custom` object as `content_version`, so feedback
on an answer can be told apart from feedback on an earlier wording of it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from project.paths import PROJECT_ROOT

CONTENT_FOLDERS = ("knowledge", "clinic")


def digest(folders: Iterable[Path]) -> str:
    """The first 12 hex digits of a SHA-256 over every file's relative path and bytes."""
    sha = hashlib.sha256()
    for folder in folders:
        for path in sorted(
            p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
        ):
            sha.update(str(path.relative_to(folder.parent)).encode("utf-8") + b"\0")
            sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()[:12]


@lru_cache(maxsize=1)
def content_version() -> str:
    return digest(PROJECT_ROOT / name for name in CONTENT_FOLDERS)
