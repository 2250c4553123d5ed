"""A test-only actions package: one action that fails, quoting what the person wrote.

tests/integration/test_http_hardening.py runs an action server with it, to show that
neither the action server's reply nor its log carries the conversation.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionThatFails(Action):
    def name(self) -> str:
        return "action_that_fails"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        raise ValueError(f"could not handle {tracker.latest_message.get('text')!r}")
