"""Which messages may use Rasa's intent syntax ("/intent").

Rasa reads a message that starts with "/" as an intent given by hand: it skips
the NLU (and so the crisis detector) and logs unknown intents word for word.
Only the exact payloads of the buttons the assistant offers may do that; any
other message starting with "/" is read as the text it is, without the slashes,
so "/greet I want to end my life" reaches the crisis detector like any message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import FrozenSet

from actions.base import NONE_OF_THESE_PAYLOAD
from actions.knowledge import TOPICS

INTENT_PREFIX = "/"


@lru_cache(maxsize=1)
def offered_payloads() -> FrozenSet[str]:
    """Every payload a button of the assistant can carry: a topic, or none of them."""
    return frozenset({f"{INTENT_PREFIX}ask_{topic}" for topic in TOPICS} | {NONE_OF_THESE_PAYLOAD})


def as_user_text(text: str) -> str:
    """`text` as Rasa should read it: a button payload unchanged, anything else as text."""
    if not text.startswith(INTENT_PREFIX) or text in offered_payloads():
        return text
    return text.lstrip(INTENT_PREFIX).strip()
