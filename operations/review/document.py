"""The review's content: every reply for the clinic's regions together, then what
changes for a reader in each region alone, and what the clinic has left to fill in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import List, Optional, Tuple

from actions.content_version import content_version
from actions.knowledge import KnowledgeBase, knowledge_base
from operations.review.catalogue import Entry, Group, Section, catalogue, entries
from operations.review.conversation import clinic_in
from project.clinic import clinic, is_placeholder, placeholders


@dataclass
class Review:
    sections: List[Section]
    content_version: str
    generated: datetime
    clinic_name: Optional[str]  # None while clinic.yml has its placeholder
    regions: Tuple[str, ...]
    placeholders: List[str]
    kb: KnowledgeBase = field(repr=False)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def region_sections(kb: KnowledgeBase, everywhere: List[Section]) -> List[Section]:
    """For each of the clinic's regions, the replies a reader there gets that differ from
    the replies above (answers citing that region's codes, its help lines)."""
    regions = clinic().regions
    if len(regions) < 2:
        return []
    shown = entries(everywhere)
    sections = []
    for region in regions:
        with clinic_in([region]):
            alone = catalogue(kb)
        prefix = f"region-{slug(region)}"
        groups = []
        for section in alone:
            for group in section.groups:
                changed = [
                    Entry(f"{prefix}-{entry.key}", entry.reader, entry.said, entry.asked)
                    for entry in group.entries
                    if entry.said.wording() != shown[entry.key][2].said.wording()
                ]
                if changed:
                    title = f"{section.title}: {group.title}"
                    groups.append(Group(f"{prefix}-{group.key}", title, changed, group.note))
        sections.append(
            Section(
                prefix,
                f"Readers in the {region}",
                f"What a reader gets when the conversation is placed in the {region} (they said "
                f"so, or the clinic lists only this region in clinic.yml): only the replies that "
                f"differ from those above are shown here; every other reply is the same.",
                groups,
            )
        )
    return sections


def build(now: Optional[datetime] = None) -> Review:
    kb = knowledge_base()
    settings = clinic()
    everywhere = catalogue(kb)
    name = settings.contact.get("name", "")
    return Review(
        sections=everywhere + region_sections(kb, everywhere),
        content_version=content_version(),
        generated=now or datetime.now(timezone.utc),
        clinic_name=None if is_placeholder(name) else name,
        regions=settings.regions,
        placeholders=placeholders(),
        kb=kb,
    )
