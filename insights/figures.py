"""The report's figures, counted from the conversations of one period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, List, Optional, Sequence

from insights.events import FEEDBACK_INTENT, UNKNOWN, Conversation, Period, Turn

# Reply kinds counted (docs/contract.md, section 4); the first four are the ones
# the clinic watches: the assistant asked back, declined, handed off, gave crisis help.
KINDS = ("clarify", "out_of_scope", "handoff", "crisis", "answer", "misconduct", "smalltalk")
UNANSWERED_KINDS = ("clarify", "out_of_scope")
NOT_HELPFUL = "not_helpful"
FOLLOWUP_PREFIX = "followup_"


def iso_week(seconds: float) -> str:
    year, week, _ = datetime.fromtimestamp(seconds, tz=timezone.utc).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Unanswered:
    """A question the assistant could not answer: its text, why, and its conversation."""

    text: str
    reason: str  # clarify, out_of_scope or not_helpful
    conversation: int
    topic: Optional[str] = None


@dataclass
class Figures:
    period: Period
    conversations: int = 0
    messages: int = 0
    conversations_per_week: Counter = field(default_factory=Counter)  # (week, role)
    messages_per_week: Counter = field(default_factory=Counter)  # (week, role)
    topics: Counter = field(default_factory=Counter)
    followups: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    feedback: Dict[str, Counter] = field(default_factory=dict)  # topic -> yes/no
    notes: Dict[str, List[str]] = field(default_factory=dict)  # topic -> notes (no crisis)
    unanswered_counts: Counter = field(default_factory=Counter)  # reason, every conversation
    unanswered: List[Unanswered] = field(default_factory=list)  # without crisis conversations
    unanswered_in_crisis: int = 0
    latencies: List[float] = field(default_factory=list)  # seconds


def compute(conversations: Sequence[Conversation], period: Period) -> Figures:
    figures = Figures(period=period)
    for conversation in conversations:
        add_conversation(figures, conversation)
    return figures


def add_conversation(figures: Figures, conversation: Conversation) -> None:
    figures.conversations += 1
    first = conversation.turns[0]
    figures.conversations_per_week[(iso_week(first.timestamp), conversation.role)] += 1
    crisis = conversation.had_crisis
    last_answer: Optional[Turn] = None
    for turn in conversation.turns:
        figures.messages += 1
        figures.messages_per_week[(iso_week(turn.timestamp), turn.role)] += 1
        if turn.first_reply_at is not None:
            figures.latencies.append(max(0.0, turn.first_reply_at - turn.timestamp))
        if turn.kind in KINDS:
            figures.kinds[turn.kind] += 1
        if turn.feedback is not None or turn.intent == FEEDBACK_INTENT:
            add_feedback(figures, conversation, turn, last_answer, crisis)
            continue
        if turn.kind == "answer":
            last_answer = turn
            figures.topics[turn.answer.get("topic") or UNKNOWN] += 1
            intent = turn.intent or ""
            if intent.startswith(FOLLOWUP_PREFIX):
                figures.followups[intent[len(FOLLOWUP_PREFIX) :]] += 1
        elif turn.kind in UNANSWERED_KINDS:
            add_unanswered(figures, conversation, turn.text, turn.kind, None, crisis)


def add_feedback(
    figures: Figures,
    conversation: Conversation,
    turn: Turn,
    answer: Optional[Turn],
    crisis: bool,
) -> None:
    vote = turn.feedback
    if vote is None:
        return
    topic = vote.get("topic") or (answer.answer.get("topic") if answer else None) or UNKNOWN
    figures.feedback.setdefault(topic, Counter())[vote["vote"]] += 1
    if vote["vote"] != "no":
        return
    if turn.note and not crisis:
        figures.notes.setdefault(topic, []).append(turn.note)
    if answer is not None:
        add_unanswered(figures, conversation, answer.text, NOT_HELPFUL, topic, crisis)


def add_unanswered(
    figures: Figures,
    conversation: Conversation,
    text: str,
    reason: str,
    topic: Optional[str],
    crisis: bool,
) -> None:
    figures.unanswered_counts[reason] += 1
    if crisis:
        figures.unanswered_in_crisis += 1  # counted, never shown
    elif text.strip() and not text.startswith("/"):  # a button's payload is no question
        figures.unanswered.append(Unanswered(text.strip(), reason, conversation.number, topic))


def percentile(values: Sequence[float], share: float) -> Optional[float]:
    """The nearest-rank percentile (share in 0..100) of `values`, None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))  # ceil
    return ordered[int(rank) - 1]


LATENCY_PERCENTILES = (50, 90, 95, 99)
