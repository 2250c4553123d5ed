"""Replaying one turn of a conversation through a real action, as the action server would.

A tracker is built the way Rasa sends it to the action server (latest message with
its intent, entities and metadata; earlier events; slots), the action's `run` is
called with a CollectingDispatcher, and what it dispatched is kept as a `Said`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, BotUttered, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ReplyAction
from actions.knowledge import ROLES
from project import clinic as clinic_module


@dataclass(frozen=True)
class Said:
    """What one action sent: its texts, its buttons' titles and the contract's custom object."""

    texts: Tuple[str, ...]
    buttons: Tuple[str, ...] = ()
    custom: Mapping[str, Any] = field(default_factory=dict)

    def wording(self) -> Tuple[object, ...]:
        """What a reader sees and what it rests on; two replies with the same wording are
        the same reply, whichever topic slot they keep."""
        custom = self.custom
        return (
            self.texts,
            self.buttons,
            custom.get("kind"),
            tuple(custom.get("points") or ()),
            tuple(custom.get("codes") or ()),
            tuple(str(r) for r in custom.get("resources") or ()),
        )


def tracker(
    text: str = "",
    intent: Optional[str] = None,
    reader: str = "any",
    slots: Optional[Dict[str, Any]] = None,
    ranking: Optional[Sequence[Tuple[str, float]]] = None,
    earlier: Sequence[str] = ("Hello",),
    crisis_families: Sequence[str] = (),
) -> Tracker:
    """A tracker whose latest message is `text`; `earlier` are the person's earlier
    messages in the session, each answered, and none means this is the first reply."""
    metadata = {"role": reader} if reader in ROLES else {}
    ranked = list(ranking or ([(intent, 1.0)] if intent else []))
    latest: Dict[str, Any] = {
        "text": text,
        "intent": {"name": ranked[0][0], "confidence": ranked[0][1]} if ranked else {},
        "intent_ranking": [{"name": name, "confidence": score} for name, score in ranked],
        "entities": [],
        "metadata": metadata,
    }
    if crisis_families:
        latest["crisis_detection"] = {"matches": [{"family": f} for f in crisis_families]}
    earlier_events: List[Dict[str, Any]] = []
    for said in earlier:
        earlier_events += [ActionExecuted("action_listen"), UserUttered(said), BotUttered("...")]
    return received(latest, earlier_events, slots, sender_id="content-review")


def received(
    latest: Dict[str, Any],
    earlier_events: Sequence[Dict[str, Any]],
    slots: Optional[Dict[str, Any]] = None,
    sender_id: str = "content-review",
) -> Tracker:
    """The tracker Rasa sends the action server when `latest` (the parsed message, with
    its text and metadata) follows `earlier_events` in a new session."""
    events: List[Dict[str, Any]] = [
        {"event": "session_started"},
        *earlier_events,
        ActionExecuted("action_listen"),
        {
            **UserUttered(latest["text"], parse_data=latest, input_channel="rest"),
            "metadata": latest.get("metadata") or {},
        },
    ]
    return Tracker(
        sender_id=sender_id,
        slots={"crisis_followup": False, **(slots or {})},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def say(action: ReplyAction, conversation: Tracker) -> Said:
    """What `action` sends in reply to `conversation`."""
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, conversation, {}))
    texts: List[str] = []
    buttons: List[str] = []
    custom: Dict[str, Any] = {}
    for message in dispatcher.messages:
        if message.get("text"):
            texts.append(message["text"])
        buttons += [button["title"] for button in message.get("buttons") or []]
        if message.get("custom"):
            custom = dict(message["custom"])
    return Said(tuple(texts), tuple(buttons), custom)


@contextlib.contextmanager
def clinic_in(regions: Sequence[str]) -> Iterator[None]:
    """The clinic's settings as though clinic.yml listed only `regions`.

    The actions read the settings through `project.clinic.clinic()`, imported by name
    into several modules: each module holding that function gets the narrowed
    settings for the duration, whichever modules there are.
    """
    original = clinic_module.clinic
    narrowed = dataclasses.replace(original(), regions=tuple(regions))

    def settings() -> clinic_module.Clinic:
        return narrowed

    holders = [
        module
        for module in list(sys.modules.values())
        if module is not None and getattr(module, "clinic", None) is original
    ]
    for module in holders:
        module.clinic = settings  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in holders:
            module.clinic = original  # type: ignore[attr-defined]
