"""Sends the set to a running assistant over the REST channel, as the clinic's pages do."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import requests

from evaluation.evalset import Conversation, Turn

# When one reply carries several `custom` objects, the one that decides what the reply was:
# crisis wins over everything (contract, section 4), then the most specific.
KIND_PRIORITY = (
    "crisis",
    "misconduct",
    "answer",
    "handoff",
    "out_of_scope",
    "clarify",
    "smalltalk",
)
WORKERS = 3
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Outcome:
    turn: Turn
    kind: Optional[str]  # None: the reply had no `custom` object with a kind
    topic: Optional[str]
    kinds: Tuple[str, ...]  # every kind the reply carried, in order


def read_reply(reply: List[Dict[str, Any]]) -> Tuple[Optional[str], Optional[str], Tuple[str, ...]]:
    """(kind, topic, all kinds) of a REST reply, from its `custom` objects."""
    customs = [
        m["custom"] for m in reply if isinstance(m, dict) and isinstance(m.get("custom"), dict)
    ]
    kinds = tuple(str(c["kind"]) for c in customs if c.get("kind"))
    for kind in KIND_PRIORITY:
        for custom in customs:
            if custom.get("kind") == kind:
                return kind, custom.get("topic"), kinds
    return (kinds[0] if kinds else None), None, kinds


def send(session: requests.Session, url: str, sender: str, turn: Turn) -> List[Dict[str, Any]]:
    payload: Dict[str, Any] = {"sender": sender, "message": turn.text}
    if turn.role != "none":
        payload["metadata"] = {"role": turn.role}
    response = session.post(f"{url}/webhooks/rest/webhook", json=payload, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response.json()


def run_conversation(url: str, conversation: Conversation) -> List[Outcome]:
    """The turns of one conversation, in order, under a sender of its own."""
    sender = f"eval-{uuid.uuid4().hex}"
    outcomes = []
    with requests.Session() as session:
        for turn in conversation.turns:
            kind, topic, kinds = read_reply(send(session, url, sender, turn))
            outcomes.append(Outcome(turn, kind, topic, kinds))
    return outcomes


def run_all(url: str, conversations: List[Conversation], workers: int = WORKERS) -> List[Outcome]:
    """Every conversation, a few at a time; outcomes in the set's order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda c: run_conversation(url, c), conversations)
        return [outcome for outcomes in results for outcome in outcomes]
