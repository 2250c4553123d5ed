"""Which conversation ids (the REST channel's `sender`) the assistant accepts.

The id names a conversation in the tracker database, in logs and in the
erasure command an operator types (`make forget SENDER=...`), so it is kept to
a plain alphabet: ASCII letters, digits, `-`, `_`, `.` and `:`, starting with
a letter or digit (so it is never taken for a command-line option), at most
128 characters. The web widget's ids (UUIDs, or 32 hex digits where the
browser lacks crypto.randomUUID) fit, and so do `prefix-<hex>` ids.

The REST channel (rasa_extensions.channel) and the retention command
(operations.retention) both check ids with `problem`.
"""

from __future__ import annotations

import re
from typing import Any, Optional

MAX_CHARS = 128
_ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
RULE = (
    "letters, digits, '-', '_', '.' and ':' only (ASCII), starting with a letter "
    f"or digit, at most {MAX_CHARS} characters"
)


def problem(value: Any) -> Optional[str]:
    """Why `value` is not an acceptable conversation id, or None if it is."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string (the conversation id)"
    if len(value) > MAX_CHARS:
        return f"must be at most {MAX_CHARS} characters"
    if not _ALLOWED.fullmatch(value):
        return f"may contain {RULE}"
    return None


def is_valid(value: Any) -> bool:
    return problem(value) is None
