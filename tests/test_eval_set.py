"""The evaluation set (tests/eval/): well-formed, balanced, and unseen by training.

The set measures how the assistant copes with messages it was never trained on, so not one of
its sentences may appear in the training data (data/nlu, as Rasa loads it) or in the crisis
test sets, compared after normalising (lowercase, punctuation stripped, whitespace collapsed).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Set

import pytest

from evaluation import evalset, metrics
from evaluation.client import read_reply
from evaluation.evalset import Turn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = evalset.load_questions()
DIALOGUES = evalset.load_dialogues()
DURING = evalset.load_questions((evalset.DURING_THERAPY_FILE,))
EVERY_TURN = evalset.all_turns(QUESTIONS + DIALOGUES + DURING)


def _training_sentences() -> Set[str]:
    # Rasa's own importer, as `rasa train` reads data/: NLU files and any user text in stories.
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"),
        str(PROJECT_ROOT / "domain.yml"),
        [str(PROJECT_ROOT / "data")],
    )
    examples = importer.get_nlu_data().training_examples
    sentences = {evalset.normalise(example.get("text") or "") for example in examples}
    for held_out in sorted((PROJECT_ROOT / "tests" / "crisis").glob("*.txt")):
        for line in held_out.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                sentences.add(evalset.normalise(line))
    return sentences - {""}


def test_no_evaluation_sentence_is_in_the_training_data():
    seen = _training_sentences()
    assert len(seen) > 1000, "the training data did not load"
    leaked = sorted({turn.text for turn in EVERY_TURN if evalset.normalise(turn.text) in seen})
    assert not leaked, f"evaluation sentences also in training data: {leaked}"


def test_no_question_appears_twice_in_the_set():
    # Short follow-ups ("why not?") recur across dialogues on purpose; questions do not.
    counts = Counter(evalset.normalise(turn.text) for turn in EVERY_TURN if not turn.is_followup)
    assert [text for text, count in counts.items() if count > 1] == []


def _problems(turn: Turn) -> list:
    problems = []
    if turn.kind not in evalset.KINDS or turn.kind == "clarify":
        problems.append(f"kind {turn.kind!r}")
    if turn.role not in evalset.ROLES:
        problems.append(f"role {turn.role!r}")
    if not str(turn.text).strip():
        problems.append("no text")
    if (turn.kind == "answer") != (turn.topic is not None) or (
        turn.topic and turn.topic not in evalset.TOPICS
    ):
        problems.append(f"topic {turn.topic!r} for kind {turn.kind!r}")
    return problems


def test_every_turn_names_a_known_kind_role_and_topic():
    wrong = {
        f"{t.conversation} turn {t.index + 1}": _problems(t) for t in EVERY_TURN if _problems(t)
    }
    assert wrong == {}


def test_the_questions_cover_every_after_therapy_topic_evenly():
    per_topic = Counter(t.topic for t in evalset.all_turns(QUESTIONS) if t.kind == "answer")
    assert set(per_topic) == set(evalset.AFTER_THERAPY_TOPICS)
    assert min(per_topic.values()) >= 24
    assert max(per_topic.values()) <= 1.2 * min(per_topic.values()) + 1


def test_the_questions_hold_every_other_kind_and_enough_of_them():
    assert len(QUESTIONS) >= 450
    per_kind = Counter(t.kind for t in evalset.all_turns(QUESTIONS))
    assert per_kind["crisis"] >= 40 and per_kind["misconduct"] >= 25
    assert (
        per_kind["out_of_scope"] >= 30 and per_kind["handoff"] >= 10 and per_kind["smalltalk"] >= 10
    )


@pytest.mark.parametrize("conversations", [QUESTIONS, DURING], ids=["questions", "during"])
def test_each_role_asks_about_a_third(conversations):
    per_role = Counter(c.role for c in conversations)
    for role in evalset.ROLES:
        assert 0.25 <= per_role[role] / len(conversations) <= 0.42, per_role


def test_the_during_therapy_file_has_28_questions_per_topic():
    per_topic = Counter(t.topic for t in evalset.all_turns(DURING))
    assert set(per_topic) == set(evalset.DURING_THERAPY_TOPICS)
    assert min(per_topic.values()) >= 28


def test_the_dialogues_follow_up_on_their_answers():
    assert len(DIALOGUES) >= 40
    assert all(2 <= len(d.turns) <= 4 for d in DIALOGUES)
    romance_wait = [
        turn
        for d in DIALOGUES
        for turn in d.turns[1:]
        if turn.topic == "romance" and ("how long" in turn.text or "wait" in turn.text)
    ]
    assert len(romance_wait) >= 3


@pytest.mark.parametrize("section", [evalset.TARGETS, evalset.GATE])
def test_the_thresholds_name_overall_figures(section):
    names = {figure.name for figure in metrics.FIGURES}
    for name, limit in evalset.load_thresholds(section).items():
        assert name in names and set(limit) <= {"min", "max"} and limit


def test_the_builds_floor_bounds_every_target_the_same_way():
    targets, gate = evalset.load_thresholds(), evalset.load_thresholds(evalset.GATE)
    assert {name: set(limit) for name, limit in gate.items()} == {
        name: set(limit) for name, limit in targets.items()
    }


# The harness's own logic, on replies shaped as the REST channel sends them.


def _turn(kind: str, topic=None, role: str = "client", index: int = 0) -> Turn:
    return Turn("a message", kind, topic, role, "test#1", index)


def test_a_crisis_custom_decides_the_reply_whatever_else_it_carries():
    reply = [
        {"text": "hello"},
        {"custom": {"kind": "answer", "topic": "gifts"}},
        {"custom": {"kind": "crisis", "resources": []}},
    ]
    assert read_reply(reply) == ("crisis", None, ("answer", "crisis"))
    assert read_reply([{"text": "no custom"}]) == (None, None, ())


def test_the_figures_count_hits_over_the_right_messages():
    from evaluation.client import Outcome

    outcomes = [
        Outcome(_turn("answer", "gifts"), "answer", "gifts", ("answer",)),
        Outcome(_turn("answer", "gifts"), "answer", "romance", ("answer",)),
        Outcome(_turn("answer", "gifts"), "clarify", None, ("clarify",)),
        Outcome(_turn("answer", "touch"), "clarify", None, ("clarify",)),  # not covered yet
        Outcome(_turn("crisis"), "crisis", None, ("crisis",)),
        Outcome(_turn("out_of_scope"), "crisis", None, ("crisis",)),
    ]
    summary = metrics.summarise(outcomes, ("gifts",))
    overall = summary["overall"]
    assert overall["answered"] == {"rate": round(2 / 3, 4), "n": 3}
    assert overall["topic_accuracy"] == {"rate": 0.5, "n": 2}
    assert overall["crisis_recall"] == {"rate": 1.0, "n": 1}
    assert overall["crisis_false_positives"] == {"rate": 0.25, "n": 4}
    assert summary["not_yet_covered"] == {"touch": {"n": 1, "replies": {"clarify": 1}}}
    failures = metrics.failed_thresholds(
        overall, {"answered": {"min": 0.97}, "crisis_recall": {"min": 1.0}}
    )
    assert failures == ["answered 0.667 < 0.97"]
