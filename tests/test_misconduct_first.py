"""Misconduct before the fallback: Rasa's FallbackClassifier, then MisconductFirst."""

from __future__ import annotations

from typing import List, Tuple

import pytest
import yaml
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from project.paths import PROJECT_ROOT
from rasa_extensions.nlu.misconduct_first import MisconductFirst


def fallback_config() -> dict:
    """The FallbackClassifier's settings in config.yml, over its defaults."""
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    [ours] = [c for c in pipeline if c["name"] == "FallbackClassifier"]
    settings = {k: v for k, v in ours.items() if k != "name"}
    return {**FallbackClassifier.get_default_config(), **settings}


def classified(ranking: List[Tuple[str, float]]) -> Message:
    """A message as the classifiers leave it, then through the fallback and ours."""
    message = Message(data={"text": "a message"})
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", dict(entries[0]))
    message.set("intent_ranking", entries)
    FallbackClassifier(fallback_config()).process([message])
    return MisconductFirst().process([message])[0]


def test_the_pipeline_runs_it_right_after_the_fallback():
    names = [
        c["name"] for c in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    ]
    ours = "rasa_extensions.nlu.misconduct_first.MisconductFirst"
    assert names.index(ours) == names.index("FallbackClassifier") + 1


@pytest.mark.parametrize(
    "ranking",
    [
        [("report_misconduct", 0.3), ("ask_touch", 0.2)],  # below the threshold
        [("report_misconduct", 0.45), ("ask_dual_roles", 0.44)],  # ambiguous
    ],
)
def test_a_likeliest_misconduct_report_is_not_turned_into_a_menu(ranking):
    message = classified(ranking)
    assert message.get("intent") == {"name": "report_misconduct", "confidence": ranking[0][1]}


@pytest.mark.parametrize(
    "ranking",
    [
        [("ask_touch", 0.3), ("report_misconduct", 0.29)],  # misconduct only second
        [("ask_gifts", 0.35), ("ask_business", 0.2)],
    ],
)
def test_any_other_unsure_message_keeps_the_fallback(ranking):
    assert classified(ranking).get("intent")["name"] == "nlu_fallback"


def test_a_sure_message_is_left_alone():
    message = classified([("ask_touch", 0.9), ("report_misconduct", 0.05)])
    assert message.get("intent") == {"name": "ask_touch", "confidence": 0.9}
