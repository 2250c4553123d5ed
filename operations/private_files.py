"""Files that may hold what people wrote (server logs, endpoints with database
passwords) are created readable by their owner only: folders 0700, files 0600.

The mode is set outright, not left to the umask, and also on a log folder or file
that already existed with a wider one. `open_private` creates a missing folder 0700
but leaves the mode of an existing one (say, a report folder) to `private_dir`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Literal

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Creates `path` (and missing parents) and makes it 0700."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def open_private(path: Path, mode: Literal["ab", "wb"] = "ab") -> BinaryIO:
    """Opens a binary file for writing ("ab" or "wb"), created 0600 in a 0700 folder."""
    if mode not in ("ab", "wb"):
        raise ValueError(f"open_private writes binary files; mode {mode!r} is not 'ab' or 'wb'")
    path = Path(path)
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "ab" else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, mode)


def write_private_text(path: Path, text: str) -> Path:
    with open_private(path, "wb") as file:
        file.write(text.encode("utf-8"))
    return Path(path)
