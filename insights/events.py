"""Reading conversations from the tracker store, as turns: a message and its reply.

Reads Rasa's `events` table (one row per event, the event as JSON in `data`)
directly, for one period. Conversation ids are used to group events and never
leave this module's objects: the report counts conversations, it does not name them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("data"),
)
UNKNOWN = "unknown"
ROLES = ("client", "therapist")
FEEDBACK_INTENT = "give_feedback"
# The texts the web widget sends with a vote when the person wrote no note
# (web/widget/boundaries-chat.js, FEEDBACK_TEXTS); anything else is a note.
VOTE_TEXTS = frozenset({"Yes, this was helpful", "No, this was not helpful"})


@dataclass(frozen=True)
class Period:
    start: float  # POSIX seconds, inclusive
    end: float  # exclusive

    def describe(self) -> str:
        fmt = "%Y-%m-%d %H:%M UTC"
        return f"{_utc(self.start).strftime(fmt)} to {_utc(self.end).strftime(fmt)}"


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


@dataclass
class Turn:
    """A user message and what the assistant did in reply."""

    text: str
    intent: Optional[str]
    role: str
    timestamp: float
    metadata: Dict[str, Any]
    kinds: List[str] = field(default_factory=list)
    customs: List[Dict[str, Any]] = field(default_factory=list)
    first_reply_at: Optional[float] = None

    @property
    def kind(self) -> str:
        """The reply's kind (docs/contract.md, section 4); crisis wins."""
        if "crisis" in self.kinds:
            return "crisis"
        return self.kinds[0] if self.kinds else UNKNOWN

    @property
    def answer(self) -> Dict[str, Any]:
        return next((c for c in self.customs if c.get("kind") == "answer"), {})

    @property
    def feedback(self) -> Optional[Dict[str, Any]]:
        vote = self.metadata.get("feedback")
        return vote if isinstance(vote, dict) and vote.get("vote") in ("yes", "no") else None

    @property
    def note(self) -> Optional[str]:
        """The "what was missing?" note sent with a vote, if any."""
        if self.feedback is None or self.text.strip() in VOTE_TEXTS or not self.text.strip():
            return None
        return self.text.strip()


@dataclass
class Conversation:
    number: int  # its position in the report's reading, in place of its id
    turns: List[Turn] = field(default_factory=list)
    crisis_slot: bool = False

    @property
    def role(self) -> str:
        return next((t.role for t in self.turns if t.role != UNKNOWN), UNKNOWN)

    @property
    def had_crisis(self) -> bool:
        return self.crisis_slot or any(
            t.kind == "crisis" or t.intent == "crisis" for t in self.turns
        )


def read_conversations(engine: Engine, period: Period) -> List[Conversation]:
    """Every conversation with a message in `period`, its turns in order."""
    if not sa.inspect(engine).has_table("events"):
        return []
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.data)
        .where(EVENTS.c.timestamp >= period.start, EVENTS.c.timestamp < period.end)
        .order_by(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.id)
    )
    grouped: Dict[str, List[Dict[str, Any]]] = {}
    with engine.connect() as connection:
        for sender_id, data in connection.execute(query):
            try:
                grouped.setdefault(sender_id, []).append(json.loads(data))
            except (TypeError, ValueError):
                continue  # a row that is not an event
    conversations: List[Conversation] = []
    for events in grouped.values():
        conversation = to_conversation(len(conversations) + 1, events)
        if conversation.turns:
            conversations.append(conversation)
    return conversations


def to_conversation(number: int, events: Iterable[Dict[str, Any]]) -> Conversation:
    conversation = Conversation(number)
    role = UNKNOWN
    current: Optional[Turn] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            stored_metadata = event.get("metadata")
            metadata: Dict[str, Any] = stored_metadata if isinstance(stored_metadata, dict) else {}
            if metadata.get("role") in ROLES:
                role = metadata["role"]
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            current = Turn(
                text=str(event.get("text") or ""),
                intent=intent,
                role=role,
                timestamp=float(event.get("timestamp") or 0.0),
                metadata=metadata,
            )
            conversation.turns.append(current)
        elif kind == "bot" and current is not None:
            if current.first_reply_at is None:
                current.first_reply_at = float(event.get("timestamp") or 0.0)
            custom = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and isinstance(custom.get("kind"), str):
                current.kinds.append(custom["kind"])
                current.customs.append(custom)
        elif kind == "slot":
            if event.get("name") == "crisis_followup" and event.get("value"):
                conversation.crisis_slot = True
            if event.get("name") == "role" and event.get("value") in ROLES and role == UNKNOWN:
                role = event["value"]
    return conversation
