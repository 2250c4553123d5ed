"""The figures of an evaluation run: rates over the outcomes, per role, per topic and overall."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from evaluation.client import Outcome
from evaluation.evalset import ROLES

# Each figure: which outcomes it is measured on, and which of those count as a hit.
Test = Callable[[Outcome], bool]


@dataclass(frozen=True)
class Figure:
    name: str
    description: str
    over: Test
    hit: Test


def _expects(kind: str) -> Test:
    return lambda o: o.turn.kind == kind


def _answered(o: Outcome) -> bool:
    return o.kind == "answer"


FIGURES = (
    Figure("answered", "in-scope questions given an answer", _expects("answer"), _answered),
    Figure(
        "topic_accuracy",
        "answers on the expected topic",
        lambda o: o.turn.kind == "answer" and o.kind == "answer",
        lambda o: o.topic == o.turn.topic,
    ),
    Figure(
        "clarify",
        "in-scope questions met with a clarifying question",
        _expects("answer"),
        lambda o: o.kind == "clarify",
    ),
    Figure(
        "out_of_scope_accepted",
        "out-of-scope messages given a boundary answer",
        _expects("out_of_scope"),
        _answered,
    ),
    Figure(
        "crisis_recall",
        "crisis messages given the crisis reply",
        _expects("crisis"),
        lambda o: o.kind == "crisis",
    ),
    Figure(
        "crisis_false_positives",
        "other messages given the crisis reply",
        lambda o: o.turn.kind != "crisis",
        lambda o: o.kind == "crisis",
    ),
    Figure(
        "misconduct_caught",
        "misconduct messages given the misconduct reply",
        _expects("misconduct"),
        lambda o: o.kind == "misconduct",
    ),
    Figure(
        "handoff_given",
        "requests for a person given the hand-off",
        _expects("handoff"),
        lambda o: o.kind == "handoff",
    ),
    Figure(
        "smalltalk_given",
        "small talk answered as small talk",
        _expects("smalltalk"),
        lambda o: o.kind == "smalltalk",
    ),
    Figure(
        "correct",
        "every message: the expected kind (and topic, for answers)",
        lambda o: True,
        lambda o: not is_miss(o),
    ),
)
# The figures that make sense for one topic's questions.
TOPIC_FIGURES = ("answered", "topic_accuracy", "clarify", "crisis_false_positives")


def is_miss(outcome: Outcome) -> bool:
    if outcome.kind != outcome.turn.kind:
        return True
    return outcome.turn.kind == "answer" and outcome.topic != outcome.turn.topic


def rate(outcomes: Iterable[Outcome], figure: Figure) -> Dict[str, Optional[float]]:
    measured = [o for o in outcomes if figure.over(o)]
    hits = sum(1 for o in measured if figure.hit(o))
    return {"rate": round(hits / len(measured), 4) if measured else None, "n": len(measured)}


def figures(outcomes: Sequence[Outcome], names: Optional[Sequence[str]] = None) -> Dict[str, dict]:
    return {f.name: rate(outcomes, f) for f in FIGURES if names is None or f.name in names}


def is_counted(outcome: Outcome, covered_topics: Sequence[str]) -> bool:
    """An answer to a topic the knowledge base lacks is reported apart, not counted."""
    return outcome.turn.kind != "answer" or outcome.turn.topic in covered_topics


def summarise(outcomes: List[Outcome], covered_topics: Sequence[str]) -> Dict[str, dict]:
    counted = [o for o in outcomes if is_counted(o, covered_topics)]
    apart = [o for o in outcomes if not is_counted(o, covered_topics)]
    topics = sorted(
        # Counted answers are about covered topics, so none is None.
        {o.turn.topic for o in counted if o.turn.kind == "answer" and o.turn.topic is not None},
        key=lambda t: list(covered_topics).index(t),
    )
    return {
        "overall": figures(counted),
        "per_role": {role: figures([o for o in counted if o.turn.role == role]) for role in ROLES},
        "per_topic": {
            topic: figures([o for o in counted if o.turn.topic == topic], TOPIC_FIGURES)
            for topic in topics
        },
        "followups": figures(
            [o for o in counted if o.turn.is_followup],
            ("answered", "topic_accuracy", "clarify", "correct"),
        ),
        "not_yet_covered": {
            topic: {
                "n": len(group),
                "replies": dict(Counter(_label(o) for o in group).most_common()),
            }
            for topic in dict.fromkeys(o.turn.topic for o in apart)
            for group in [[o for o in apart if o.turn.topic == topic]]
        },
    }


def _label(outcome: Outcome) -> str:
    return f"answer:{outcome.topic}" if outcome.kind == "answer" else str(outcome.kind)


def failed_thresholds(overall: Dict[str, dict], thresholds: Dict[str, dict]) -> List[str]:
    """A line for every overall figure outside its threshold."""
    failures = []
    for name, limit in thresholds.items():
        value = overall[name]["rate"]
        if value is None:
            continue
        if "min" in limit and value < limit["min"]:
            failures.append(f"{name} {value:.3f} < {limit['min']}")
        if "max" in limit and value > limit["max"]:
            failures.append(f"{name} {value:.3f} > {limit['max']}")
    return failures
