"""Whether a conversation is about romance or sex, from everything it said.

A romantic or sexual relationship with a therapist is never reached through
the cooling-off period (docs/contract.md, section 1): once a conversation has touched
romance, every later answer and follow-up uses the romance topic's stricter
wording, whatever shape the next question takes. The signal is deliberately
broad: wrongly giving the romance wording to a friendship question is a
misfit; giving cooling-off advice to a romance question is a harm.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from rasa_sdk import Tracker

# Canonical `relationship` values (data/nlu/entities.yml) that are romantic or sexual.
ROMANTIC_RELATIONSHIPS = frozenset({"dating", "sexual"})
# Topics whose questions are about romantic attachment: feelings for a therapist
# are the commonest way a romance question begins.
ROMANTIC_TOPICS = frozenset({"romance", "feelings"})
RELATIONSHIP_SLOT = "relationship"

ROMANTIC_WORDS = re.compile(
    r"\b("
    r"dat(e|es|ed|ing)|romanc\w*|romantic\w*|sex\w*|kiss\w*|flirt\w*|crush\w*"
    r"|in love|love (him|her|them|you)|fall(ing|en)? for|fell for|attract(ed|ion)"
    r"|go(ing)? out with|went out with|ask(ed|ing)? (me |him |her |them )?out"
    r"|boyfriend|girlfriend|marry|sleep(ing)? with|slept with"
    r"|hook(ed|ing)? ?up|intima\w*|be together|mutual (feelings|attraction)"
    r")\b",
    re.IGNORECASE,
)


def session_user_texts(tracker: Tracker) -> Iterator[str]:
    """What the person wrote in this conversation session, newest first."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return
        if event.get("event") == "user" and isinstance(event.get("text"), str):
            yield event["text"]


def is_romantic(tracker: Tracker, topic: Optional[str]) -> bool:
    """True when the topic, a relationship entity or slot, or any words of the
    conversation session are about romance or sex."""
    if topic in ROMANTIC_TOPICS:
        return True
    entities = set(map(str, tracker.get_latest_entity_values(RELATIONSHIP_SLOT)))
    if (
        entities & ROMANTIC_RELATIONSHIPS
        or tracker.get_slot(RELATIONSHIP_SLOT) in ROMANTIC_RELATIONSHIPS
    ):
        return True
    latest = tracker.latest_message.get("text")
    texts = [latest] if isinstance(latest, str) else []
    return any(ROMANTIC_WORDS.search(text) for text in [*texts, *session_user_texts(tracker)])
