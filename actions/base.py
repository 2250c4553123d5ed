"""What every reply of the assistant has in common.

A reply action decides *what* to say (a `Reply`); `ReplyAction.run` decides
*how* it reaches the reader: it finds the reader's role, adds the first-reply
disclaimer, handles the turn after a crisis with care, and sends the `custom`
object of the contract (docs/contract.md, section 4) beside the text.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content_version import content_version
from actions.knowledge import ANY_ROLE, ROLES, KnowledgeBase, knowledge_base
from actions.regions import remember_region

# The kinds of reply of the contract (docs/contract.md, section 4).
ANSWER = "answer"
CRISIS = "crisis"
MISCONDUCT = "misconduct"
OUT_OF_SCOPE = "out_of_scope"
CLARIFY = "clarify"
HANDOFF = "handoff"
SMALLTALK = "smalltalk"

# The payload of a clarifying menu's "None of these": Rasa's two-stage fallback
# takes out_of_scope as a "no".
NONE_OF_THESE_PAYLOAD = "/out_of_scope"

ROLE_SLOT = "role"
CRISIS_FOLLOWUP_SLOT = "crisis_followup"


@dataclass
class Reply:
    """What an action says: texts, optional buttons, and the contract's custom object."""

    kind: str
    texts: List[str]
    custom: Dict[str, Any] = field(default_factory=dict)
    buttons: List[Dict[str, str]] = field(default_factory=list)
    events: List[EventType] = field(default_factory=list)
    # Set by replies that already say what the assistant is (the crisis reply).
    states_what_it_is: bool = False
    # Set by replies worded for the turn after a crisis (they replace the care note).
    handles_crisis_followup: bool = False
    # Set by the reply to free text after a crisis: the next message is met as gently.
    keeps_crisis_followup: bool = False


def reader_role(tracker: Tracker) -> str:
    """The reader's role: the message's `metadata.role`, else the last one seen."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    role = metadata.get("role") if isinstance(metadata, dict) else None
    if role in ROLES:
        return role
    remembered = tracker.get_slot(ROLE_SLOT)
    return remembered if remembered in ROLES else ANY_ROLE


def first_reply(tracker: Tracker) -> bool:
    """True when the assistant has said nothing yet in this conversation session.

    Read from the events rather than a slot: Rasa's two-stage fallback reverts
    the slots set during a misunderstanding, but not the messages sent.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return False
        if event.get("event") == "session_started":
            return True
    return True


def after_crisis(tracker: Tracker) -> bool:
    """True on the first turn after a crisis reply."""
    return bool(tracker.get_slot(CRISIS_FOLLOWUP_SLOT))


class ReplyAction(Action, abc.ABC):
    """Base class of the assistant's actions; subclasses implement `respond`.

    Abstract, so that the action server registers only its subclasses.
    """

    @abc.abstractmethod
    def name(self) -> Text:
        """The action's name in domain.yml."""

    @abc.abstractmethod
    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        """What to say to `reader` (client, therapist or any) in reply to the tracker."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb = knowledge_base()
        reader = reader_role(tracker)
        reply = self.respond(tracker, reader, kb)
        texts = list(reply.texts)
        events: List[EventType] = list(reply.events)

        if after_crisis(tracker) and reply.kind != CRISIS:
            if not reply.handles_crisis_followup:
                texts.insert(0, kb.text("after_crisis", "note", reader))
            if not reply.keeps_crisis_followup:
                events.append(SlotSet(CRISIS_FOLLOWUP_SLOT, False))
        if first_reply(tracker) and not reply.states_what_it_is:
            texts.insert(0, kb.text("disclaimer", reader))
        if reader in ROLES and tracker.get_slot(ROLE_SLOT) != reader:
            events.append(SlotSet(ROLE_SLOT, reader))
        events.extend(remember_region(tracker))

        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            dispatcher.utter_message(text=text, buttons=reply.buttons if last else [])
        custom = {"kind": reply.kind, **reply.custom, "content_version": content_version()}
        dispatcher.utter_message(json_message=custom)
        return events


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The value of `entity` in the latest message, if it has one."""
    values = list(tracker.get_latest_entity_values(entity))
    return str(values[0]) if values else None
