"""A tracker store of synthetic conversations of known shape, written by Rasa itself.

Every conversation is saved through Rasa 3.6's SQLTrackerStore, so the rows are
exactly what the servers write. EXPECTED holds the figures the report must show.
Identifiers are planted in texts (PLANTED); none may reach the report.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAY = 24 * 60 * 60
VERSION = "0123456789ab"

PLANTED = [
    "Sarah Whitfield",
    "Whitfield",
    "sarah.whitfield@example.com",
    "42 Elm Street",
    "+1 (555) 201-3344",
    "555",
    "03/14/1985",
    "Jonathan Okafor",
    "Okafor",
    "pat.jones@example.org",
    "07700 900123",
    "SW1A 1AA",
    "Priya Raman",
    "Raman",
    "12 Harbour Road",
    "14 March 1985",
    "Marguerite Delacroix",
]
# A text only crisis conversations and the forgotten conversation hold.
CRISIS_ONLY = "zebra marmalade"
FORGOTTEN_TEXT = "quokka lighthouse"
FORGOTTEN_SENDER = "forget-me-1"

# Six conversations ask about parking (one theme, shown); two about billing codes
# (one theme, hidden: fewer than five conversations).
PARKING = [
    "Where can I park my car near the clinic? My email is pat.jones@example.org",
    "Is there car parking at the clinic on 12 Harbour Road?",
    "where do I park my car when I come to the clinic",
    "Can I park my car outside the clinic, I'm Jonathan Okafor",
    "Is parking free at the clinic car park? Call me on 07700 900123",
    "Where should I park the car at the clinic, postcode SW1A 1AA",
]
BILLING = [
    "What insurance billing codes does Priya Raman use for invoices?",
    "Which insurance billing codes go on the invoices?",
]


def user(
    text: str,
    intent: str,
    at: float,
    role: Optional[str] = "client",
    feedback: Optional[Dict[str, str]] = None,
) -> UserUttered:
    metadata: Dict[str, Any] = {}
    if role:
        metadata["role"] = role
    if feedback:
        metadata["feedback"] = feedback
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return UserUttered(
        text, parse["intent"], [], parse, timestamp=at, input_channel="rest", metadata=metadata
    )


def reply(kind: str, at: float, **custom: Any) -> List[Any]:
    """What a reply action leaves in the store: the action, a text, the custom object."""
    return [
        ActionExecuted("action_x", timestamp=at - 0.01),
        BotUttered("a reply", {"custom": None}, timestamp=at),
        BotUttered(
            None,
            {"custom": {"kind": kind, "content_version": VERSION, **custom}},
            timestamp=at + 0.01,
        ),
        ActionExecuted("action_listen", timestamp=at + 0.02),
    ]


class Writer:
    def __init__(self, now: float) -> None:
        self.now = now
        self.conversations: List[Tuple[str, List[Any]]] = []
        self.latencies: List[float] = []

    def conversation(self, sender: str, day: float, turns: List[Tuple[Any, ...]]) -> None:
        """turns: (text, intent, role, kind, latency, custom, feedback)."""
        at = self.now - day * DAY
        events: List[Any] = [ActionExecuted("action_session_start", timestamp=at - 1)]
        for text, intent, role, kind, latency, custom, feedback in turns:
            events.append(user(text, intent, at, role, feedback))
            events += reply(kind, at + latency, **custom)
            if kind == "crisis":
                events.append(SlotSet("crisis_followup", True, timestamp=at + latency + 0.03))
            self.latencies.append(latency)
            at += 30
        self.conversations.append((sender, events))

    def save(self, db_path: Path) -> None:
        store = SQLTrackerStore(
            Domain.load(PROJECT_ROOT / "domain.yml"), dialect="sqlite", db=str(db_path)
        )

        async def save_all() -> None:
            for sender, events in self.conversations:
                await store.save(DialogueStateTracker.from_events(sender, events))

        # A thread of its own, so this works inside a running loop too (Playwright's).
        worker = threading.Thread(target=asyncio.run, args=(save_all(),))
        worker.start()
        worker.join()
        store.engine.dispose()


def T(text, intent, kind, latency=0.5, role="client", feedback=None, **custom):  # noqa: N802
    return (text, intent, role, kind, latency, custom, feedback)


def build(db_path: Path, now: Optional[float] = None) -> Writer:
    now = now or time.time()
    w = Writer(now)
    answer = dict(points=["power_imbalance"])
    # 1: client, friendship + a follow-up, helpful.
    w.conversation(
        "c1",
        3,
        [
            T(
                "Can I be friends with my therapist after therapy?",
                "ask_friendship",
                "answer",
                0.4,
                topic="friendship",
                **answer,
            ),
            T("why not?", "followup_why", "answer", 0.6, topic="friendship", **answer),
            T(
                "Yes, this was helpful",
                "give_feedback",
                "smalltalk",
                0.2,
                feedback={"vote": "yes", "topic": "friendship", "content_version": VERSION},
            ),
        ],
    )
    # 2: therapist, gifts, not helpful with a note full of identifiers.
    w.conversation(
        "t1",
        2,
        [
            T(
                "A client gave me a gift, Marguerite Delacroix knitted it",
                "ask_gifts",
                "answer",
                1.5,
                role="therapist",
                topic="gifts",
                **answer,
            ),
            T(
                "It did not say what to do if Sarah Whitfield posts a card to 42 Elm Street or "
                "emails sarah.whitfield@example.com",
                "give_feedback",
                "smalltalk",
                0.3,
                role="therapist",
                feedback={"vote": "no", "topic": "gifts", "content_version": VERSION},
            ),
        ],
    )
    # 3-8: out of scope parking questions, six conversations.
    for number, text in enumerate(PARKING):
        w.conversation(
            f"p{number}", 9 if number % 2 else 4, [T(text, "out_of_scope", "out_of_scope", 0.8)]
        )
    # 9-10: the assistant asked to clarify billing questions, two conversations.
    for number, text in enumerate(BILLING):
        w.conversation(
            f"b{number}", 5, [T(text, "nlu_fallback", "clarify", 0.7, topics=["business"])]
        )
    # 11: a crisis, then an out-of-scope question and a not-helpful vote whose note shows risk.
    w.conversation(
        "crisis1",
        1,
        [
            T("I want to end my life", "crisis", "crisis", 0.3, resources=[]),
            T(f"what is {CRISIS_ONLY} born 03/14/1985", "out_of_scope", "out_of_scope", 0.5),
            T(
                f"nothing helps, {CRISIS_ONLY}, I want to die",
                "crisis",
                "crisis",
                0.4,
                resources=[],
                feedback={"vote": "no", "topic": "romance", "content_version": VERSION},
            ),
        ],
    )
    # 12: therapist: hand-off, misconduct, small talk, no role on the last message.
    w.conversation(
        "t2",
        2,
        [
            T("hello", "greet", "smalltalk", 0.2, role="therapist"),
            T(
                "I need to speak to a person",
                "request_human",
                "handoff",
                0.9,
                role="therapist",
                contact={},
            ),
            T(
                "my colleague touched a client",
                "report_misconduct",
                "misconduct",
                1.1,
                role=None,
                resources=[],
            ),
        ],
    )
    # 13: the conversation that is forgotten between two reports.
    w.conversation(
        FORGOTTEN_SENDER,
        2,
        [
            T(
                f"Where is the {FORGOTTEN_TEXT} parking for the clinic car?",
                "out_of_scope",
                "out_of_scope",
                2.5,
            ),
        ],
    )
    # 14: older than the retention period: never in a report.
    w.conversation(
        "old1",
        45,
        [
            T(
                "ancient question about parking my car at the clinic",
                "out_of_scope",
                "out_of_scope",
                9.0,
            )
        ],
    )
    w.latencies = w.latencies[:-1]  # the old one is outside every period
    w.save(db_path)
    return w


EXPECTED = {
    ("totals", "conversations"): 13,
    ("totals", "messages"): 20,
    ("topics", "friendship"): 2,
    ("topics", "gifts"): 1,
    ("followups", "why"): 1,
    ("reply_kinds", "clarify"): 2,
    ("reply_kinds", "out_of_scope"): 8,
    ("reply_kinds", "handoff"): 1,
    ("reply_kinds", "crisis"): 2,
    ("reply_kinds", "answer"): 3,
    ("reply_kinds", "misconduct"): 1,
    ("reply_kinds", "smalltalk"): 3,
    ("unanswered", "clarify"): 2,
    ("unanswered", "out_of_scope"): 8,
    ("unanswered", "not_helpful"): 1,
    ("unanswered", "in_crisis_conversations"): 1,
}
