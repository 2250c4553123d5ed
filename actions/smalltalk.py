"""Greetings, thanks, goodbyes and questions about the assistant itself."""

from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions.base import SMALLTALK, Reply, ReplyAction, after_crisis
from actions.knowledge import KnowledgeBase

SMALLTALK_INTENTS = ("greet", "thank", "goodbye", "ask_bot_identity")


class ActionRespondSmalltalk(ReplyAction):
    """Small talk; after a crisis it is gentle, never a cheerful greeting."""

    def name(self) -> Text:
        return "action_respond_smalltalk"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in SMALLTALK_INTENTS:
            intent = "greet"
        careful = after_crisis(tracker) and kb.has("after_crisis", intent)
        section = "after_crisis" if careful else "smalltalk"
        return Reply(
            kind=SMALLTALK,
            texts=[kb.text(section, intent, reader)],
            # Saying what the assistant is makes the first-reply disclaimer redundant.
            states_what_it_is=intent == "ask_bot_identity",
            handles_crisis_followup=careful,
        )
