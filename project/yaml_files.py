"""Reading the project's YAML files: the knowledge base, clinic.yml, the crisis patterns.

Every file is a mapping at the top level; a mistake is reported with the file,
the entry and what is wrong, so whoever edits the file can fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Type

import yaml

FILE_ENTRY = "(file)"


class ConfigFileError(ValueError):
    """A mistake in one of the project's files, naming the file and the entry."""

    def __init__(self, file: object, entry: str, problem: str) -> None:
        super().__init__(f"{file}: {entry}: {problem}")
        self.file, self.entry, self.problem = file, entry, problem


def load_mapping(
    path: Path, name: object = None, error: Type[ConfigFileError] = ConfigFileError
) -> Dict[str, Any]:
    """The YAML file at `path`, which must hold a mapping. Mistakes raise `error`
    (a ConfigFileError) naming the file as `name` (default: the path)."""
    name = path if name is None else name
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(name, FILE_ENTRY, f"missing: expected {path}") from None
    except yaml.YAMLError as problem:
        raise error(name, FILE_ENTRY, f"not valid YAML: {problem}") from None
    if not isinstance(content, dict):
        raise error(name, FILE_ENTRY, "must be a mapping at the top level")
    return content
