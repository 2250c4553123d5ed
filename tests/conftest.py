"""Fixtures shared by the tests: trackers and dispatchers as Rasa builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, BotUttered, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from operations.review.conversation import received
from project import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


@pytest.fixture
def no_store_variables(monkeypatch) -> None:
    """No variable of the environment points the code at another tracker database."""
    for name in settings.STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def build_tracker(
    text: str = "",
    intent: Optional[str] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    role: Optional[str] = None,
    slots: Optional[Dict[str, Any]] = None,
    intent_ranking: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-conversation",
    first_reply: bool = False,
) -> Tracker:
    """A tracker whose latest message is `text`, as the action server receives it.

    Unless `first_reply`, the assistant has already said something in the session.
    """
    metadata = {"role": role} if role is not None else {}
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
        "intent_ranking": intent_ranking
        or ([{"name": intent, "confidence": 1.0}] if intent else []),
        "metadata": metadata,
    }
    earlier = (
        []
        if first_reply
        else [
            ActionExecuted("action_listen"),
            UserUttered("hello", parse_data={"intent": {"name": "greet", "confidence": 1.0}}),
            BotUttered("Hello!"),
        ]
    )
    return received(latest_message, earlier, slots, sender_id=sender_id)


@pytest.fixture
def make_tracker():
    """Builds trackers: make_tracker("why not?", intent="followup_why", slots={...})."""
    return build_tracker


def custom_of(dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """The one `custom` object a reply carries (docs/contract.md, section 4)."""
    customs = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert len(customs) == 1, dispatcher.messages
    # Every reply carries the wording's version (tests/test_feedback.py checks it).
    return {k: v for k, v in customs[0].items() if k != "content_version"}


def texts_of(dispatcher: CollectingDispatcher) -> List[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]
