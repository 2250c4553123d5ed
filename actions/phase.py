"""The phase of therapy a question is about: ongoing ("during") or ended ("after").

Topics of both phases (gifts, social media, business: contract, section 2) answer
ongoing therapy in their own words, since the rules for current clients are
stricter. The phase is read from the message's words and kept for the
conversation; when nothing says which, the answer covers former clients and
says how the rules differ for current ones.
"""

from __future__ import annotations

import re
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.knowledge import AFTER, DURING

PHASE_SLOT = "phase"
AFTER_CUES = re.compile(
    r"\b(former|previous|(ex[- ]?|old |past )(therapist|counsell?or|counselor|psychologist|shrink"
    r"|client|patient|social worker)s?|used to (see|have|work)|after (therapy|counsell?ing|we"
    r"|it|treatment|our|my|the)\w*|(therapy|counsell?ing|treatment|sessions?) (has |have )?"
    r"(ended|finished|stopped|is over|are over|was over)|(ended|finished|stopped|terminated)"
    r" (therapy|counsell?ing|treatment|our sessions|with)|no longer (see|seeing|my)"
    r"|discharged|years? ago|months? ago)\b",
    re.IGNORECASE,
)
DURING_CUES = re.compile(
    r"\b(current(ly)?|still (see|seeing|in therapy|my)|during (therapy|counsell?ing|treatment"
    r"|a session|our sessions|sessions)|ongoing|(i'?m|i am|we'?re|we are) (in|having|doing)"
    r" (therapy|counsell?ing|treatment|sessions)|next (session|appointment|week's session)"
    r"|each session|every session|between sessions|(i'?m|i am) seeing|my client (is|has)"
    r"|(a|my) (current )?client (asked|offered|gave|wants|keeps|sent|invited|follows|added)"
    r"|active client)\b",
    re.IGNORECASE,
)


def stated_phase(text: str) -> Optional[str]:
    """ "after" or "during" when the message's words say which, else None."""
    if AFTER_CUES.search(text or ""):
        return AFTER
    if DURING_CUES.search(text or ""):
        return DURING
    return None


def question_phase(tracker: Tracker) -> str:
    """The phase the latest question is about: its words, else the conversation's."""
    stated = stated_phase((tracker.latest_message or {}).get("text") or "")
    return stated or tracker.get_slot(PHASE_SLOT) or ""


def remember_phase(tracker: Tracker) -> List[EventType]:
    stated = stated_phase((tracker.latest_message or {}).get("text") or "")
    if stated and tracker.get_slot(PHASE_SLOT) != stated:
        return [SlotSet(PHASE_SLOT, stated)]
    return []
