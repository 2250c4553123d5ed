"""Thanks for a "Was this helpful?" vote; the vote itself stays on the user event.

The REST channel keeps the vote in the message's `metadata.feedback` (stored with
the user event in the tracker store), the NLU makes the intent `give_feedback`
(rasa_extensions.nlu.feedback_intent), and this action says thank you in one line.
"""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions.base import SMALLTALK, Reply, ReplyAction
from actions.knowledge import KnowledgeBase

DEFAULT_THANKS = "Thank you for telling us; it helps the clinic improve these answers."


class ActionRecordFeedback(ReplyAction):
    def name(self) -> Text:
        return "action_record_feedback"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        try:
            thanks = kb.reader_text(reader, "feedback_thanks")
        except (KeyError, TypeError):
            thanks = DEFAULT_THANKS
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        vote = (metadata.get("feedback") or {}).get("vote") if isinstance(metadata, dict) else None
        return Reply(kind=SMALLTALK, texts=[thanks], custom={"feedback": vote or "none"})
