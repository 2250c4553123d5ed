"""The "Was this helpful?" vote the web widget sends with a message's metadata.

The widget sends the person's optional "what was missing?" note as the message
text (so the NLU, and its crisis detector, read it like any message) and the vote
in `metadata.feedback`. Only a well-formed vote is kept: anything else in it would
be stored unasked.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

VOTES = ("yes", "no")
# A topic id of the contract (docs/contract.md, section 2), such as "social_media".
TOPIC = re.compile(r"[a-z][a-z_]{0,39}")
# The action server's content version: a hex digest (actions.content_version).
CONTENT_VERSION = re.compile(r"[0-9a-f]{8,64}")


def clean_feedback(value: Any) -> Optional[Dict[str, str]]:
    """{"vote", "topic"?, "content_version"?} when `value` is a vote, else None."""
    if not isinstance(value, dict) or value.get("vote") not in VOTES:
        return None
    feedback = {"vote": value["vote"]}
    topic = value.get("topic")
    if isinstance(topic, str) and TOPIC.fullmatch(topic):
        feedback["topic"] = topic
    version = value.get("content_version")
    if isinstance(version, str) and CONTENT_VERSION.fullmatch(version):
        feedback["content_version"] = version
    return feedback
