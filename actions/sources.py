"""Sources other than the clinic's document: sections of professional codes
(knowledge/codes/*.yml) and the clinic's own policies (clinic/clinic.yml, `policies`).

Answers cite them by id in a part's `codes` (docs/contract.md, section 1b): a code
section as `body-section` (`apa-10.08`), a clinic policy as `clinic-...`. Replies
list them in the `custom` object's `codes`, and the web page shows each as a chip
with its paraphrase and link, beside the document's passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from project.clinic import clinic
from project.yaml_files import ConfigFileError, load_mapping

CODE_ID = re.compile(r"^[a-z]+(-[a-z0-9.()]+)+$")
CLINIC_PREFIX = "clinic-"
CODE_FIELDS = ("cite_as", "title", "code", "region", "paraphrase", "url", "status")
STATUSES = ("checked", "secondary")


class SourceError(ConfigFileError):
    """A mistake in a code section or a clinic policy, naming the file and the entry."""


@dataclass(frozen=True)
class Source:
    """A code section or a clinic policy, as a reply's chip shows it."""

    id: str
    cite_as: str  # how a reply names it: "APA 10.08", "the clinic's policy"
    title: str
    paraphrase: str
    url: Optional[str] = None
    region: Optional[str] = None  # None for a clinic policy: it holds wherever the clinic is

    def as_chip(self) -> Dict[str, str]:
        chip = {"id": self.id, "cite_as": self.cite_as, "title": self.title}
        chip["paraphrase"] = self.paraphrase
        if self.url:
            chip["url"] = self.url
        return chip


def _text(file: str, entry: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourceError(file, entry, "needs non-empty text")
    return " ".join(value.split())


def load_codes(directory: Path) -> Dict[str, Source]:
    """Every code section in `directory`/*.yml, by id."""
    codes: Dict[str, Source] = {}
    for path in sorted(directory.glob("*.yml")):
        file = f"codes/{path.name}"
        entries = load_mapping(path, file, SourceError).get("codes") or {}
        for code_id, entry in entries.items():
            where = f"codes.{code_id}"
            if not CODE_ID.match(code_id) or code_id.startswith(CLINIC_PREFIX):
                raise SourceError(file, where, "ids are body-section, lowercase: apa-10.08")
            if code_id in codes:
                raise SourceError(file, where, "defined twice")
            if not isinstance(entry, dict):
                raise SourceError(file, where, f"needs {', '.join(CODE_FIELDS)}")
            unknown = [key for key in entry if key not in CODE_FIELDS]
            if unknown:
                raise SourceError(file, f"{where}.{unknown[0]}", f"unknown; use {CODE_FIELDS}")
            if entry.get("status") not in STATUSES:
                raise SourceError(
                    file,
                    f"{where}.status",
                    f"use {' or '.join(STATUSES)}: an unchecked rule is never cited",
                )
            codes[code_id] = Source(
                id=code_id,
                cite_as=_text(file, f"{where}.cite_as", entry.get("cite_as")),
                title=_text(file, f"{where}.title", entry.get("title")),
                paraphrase=_text(file, f"{where}.paraphrase", entry.get("paraphrase")),
                url=_text(file, f"{where}.url", entry.get("url")),
                region=_text(file, f"{where}.region", entry.get("region")),
            )
    return codes


def clinic_policies() -> Dict[str, Source]:
    """The clinic's own policies (clinic.yml, `policies`), as sources."""
    return {
        policy_id: Source(id=policy_id, cite_as="the clinic's policy", title=title, paraphrase=text)
        for policy_id, (title, text) in clinic().policies.items()
    }


def codes_used(parts: Sequence[object]) -> List[str]:
    """The code and policy ids a composed reply cites, in order, without repeats."""
    seen: Dict[str, None] = {}
    for part in parts:
        for code in getattr(part, "codes", ()):
            seen.setdefault(code, None)
    return list(seen)


def chips(sources: Mapping[str, Source], ids: Sequence[str]) -> List[Dict[str, str]]:
    """What the web page shows for each cited code section or policy."""
    return [sources[code].as_chip() for code in ids]
