"""Where the reader is: the region whose codes, regulators and help lines apply.

A reader who says where they are ("I'm in the UK", "my BACP counsellor") is
answered for that region for the rest of the conversation; otherwise for the
clinic's regions (clinic/clinic.yml, `region`).
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from project.clinic import clinic

REGION_SLOT = "region"
UNITED_STATES = "United States"
UNITED_KINGDOM = "United Kingdom"
# Words that place the reader: a country, or a body that exists in one country only.
REGION_CUES: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    (
        UNITED_KINGDOM,
        re.compile(
            r"\b(uk|u\.k\.|united kingdom|britain|british|england|scotland|wales|welsh|scottish"
            r"|northern ireland|nhs|bacp|hcpc|ukcp|london)\b",
            re.IGNORECASE,
        ),
    ),
    (
        UNITED_STATES,
        re.compile(
            r"\b(usa|u\.s\.a?\.?|united states|america|american|apa|aca|nasw|aamft|lmft|lpc"
            r"|lcsw|licensing board)\b",
            re.IGNORECASE,
        ),
    ),
)


def stated_region(text: str) -> Optional[str]:
    """The region a message places its writer in, when exactly one is named."""
    found = {region for region, cue in REGION_CUES if cue.search(text or "")}
    return found.pop() if len(found) == 1 else None


def reader_regions(tracker: Tracker) -> List[str]:
    """The regions to answer for: the one the reader named, else the clinic's."""
    named = stated_region((tracker.latest_message or {}).get("text") or "")
    named = named or tracker.get_slot(REGION_SLOT)
    if named in (UNITED_STATES, UNITED_KINGDOM):
        return [named]
    return list(clinic().regions)


def remember_region(tracker: Tracker) -> List[EventType]:
    """Keeps the region the latest message named, for the rest of the conversation."""
    named = stated_region((tracker.latest_message or {}).get("text") or "")
    if named and tracker.get_slot(REGION_SLOT) != named:
        return [SlotSet(REGION_SLOT, named)]
    return []
