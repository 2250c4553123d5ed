"""The blended intent classifier: the mean of DIET's ranking and a logistic regression's."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
import scipy.sparse
from rasa.core.agent import Agent
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_extensions.nlu.intent_blend import BlendedIntentClassifier, blend, ranking_of
from tests.test_crisis_detection import CRISIS, NOT_CRISIS, model_path
from tests.test_diet_loading import EXTRA, predictions

EXAMPLES = {
    "ask_friendship": [
        "can i be friends with my therapist",
        "can we be friends after therapy",
        "is friendship with my counselor ok",
        "could my old therapist and i be friends",
    ],
    "ask_gifts": [
        "can i give my therapist a gift",
        "is a present for my counselor ok",
        "can i buy my therapist flowers",
        "a client gave me a gift",
    ],
    "out_of_scope": [
        "what is the weather today",
        "tell me a joke",
        "how long do cats live",
        "what is the capital of france",
    ],
}


def test_blend_is_the_weighted_mean_most_confident_first():
    diet = {"a": 0.9, "b": 0.1}
    regression = {"a": 0.2, "b": 0.5, "c": 0.3}
    ranking = blend(diet, regression, diet_weight=0.5)
    assert [entry["name"] for entry in ranking] == ["a", "b", "c"]
    assert [entry["confidence"] for entry in ranking] == pytest.approx([0.55, 0.3, 0.15])


def test_blend_lets_a_confident_second_opinion_overrule_an_unsure_diet():
    ranking = blend({"followup_how_long": 0.5, "out_of_scope": 0.3}, {"out_of_scope": 0.9}, 0.5)
    assert ranking[0]["name"] == "out_of_scope"


def test_blend_breaks_ties_by_name_so_the_order_is_stable():
    assert [entry["name"] for entry in blend({"b": 0.5, "a": 0.5}, {}, 0.5)] == ["a", "b"]


def test_ranking_of_reads_the_earlier_classifier():
    message = Message(data={"intent_ranking": [{"name": "greet", "confidence": 0.7}]})
    assert ranking_of(message) == {"greet": 0.7}
    assert ranking_of(Message(data={})) == {}


@pytest.fixture
def featurized(tmp_path):
    """Training data and a featurizer, as Rasa's pipeline would run them."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, node_name="featurizer")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("cvf"), context
    )
    data = TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)

    def messages(*texts):
        result = [Message(data={"text": text}) for text in texts]
        tokenizer.process(result)
        featurizer.process(result)
        return result

    return storage, data, messages


def test_it_trains_persists_loads_and_blends(featurized):
    storage, data, messages = featurized
    resource = Resource("blend")
    context = ExecutionContext(graph_schema=None, node_name="blend")
    config = BlendedIntentClassifier.get_default_config()
    trained = BlendedIntentClassifier.create(config, storage, resource, context)
    trained.train(data)

    loaded = BlendedIntentClassifier.load(config, storage, resource, context)
    [message] = messages("can my therapist and i be friends")
    # DIET's ranking, unsure and wrong: the regression's clear answer wins.
    message.set("intent_ranking", [{"name": "ask_gifts", "confidence": 0.4}])
    loaded.process([message])

    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == "ask_friendship" == ranking[0]["name"]
    assert {entry["name"] for entry in ranking} == set(EXAMPLES)
    # Half of DIET's 0.4 and half of the regression's probabilities, which sum to 1.
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(0.5 * 0.4 + 0.5)
    assert loaded.process([]) == []


def test_a_message_without_features_keeps_diets_ranking(featurized):
    storage, data, messages = featurized
    context = ExecutionContext(graph_schema=None, node_name="blend")
    config = BlendedIntentClassifier.get_default_config()
    classifier = BlendedIntentClassifier.create(config, storage, Resource("blend"), context)
    classifier.train(data)

    [question] = messages("can i give my therapist a gift")
    empty = Message(data={"text": ""})  # spaCy gives an empty text no tokens, hence no features
    diet = [{"name": "out_of_scope", "confidence": 1.0}]
    empty.set("intent_ranking", diet)
    classifier.process([empty, question])

    assert empty.get("intent_ranking") == diet
    assert question.get("intent")["name"] == "ask_gifts"


def same_matrix(ours, rasas) -> bool:
    return (
        type(ours) is type(rasas)
        and ours.shape == rasas.shape
        and ours.dtype == rasas.dtype
        and np.array_equal(ours.indptr, rasas.indptr)
        and np.array_equal(ours.indices, rasas.indices)
        and np.array_equal(ours.data, rasas.data)
    )


def test_the_regression_input_is_rasas(featurized, tmp_path):
    _, _, messages = featurized
    texts = [text for texts in EXAMPLES.values() for text in texts] + ["gift gift gift friends"]
    featured = messages(*texts)
    classifier = BlendedIntentClassifier(
        BlendedIntentClassifier.get_default_config(), "blend", None, None
    )
    for message in featured:
        rasas = LogisticRegressionClassifier._create_X(classifier, [message])
        assert same_matrix(classifier._create_X([message]), rasas)
    rasas = LogisticRegressionClassifier._create_X(classifier, featured)
    assert same_matrix(classifier._create_X(featured), rasas)


def test_dense_sentence_features_are_stacked_as_rasa_does(featurized):
    _, _, messages = featurized
    [message] = messages("can i give my therapist a gift")
    message.add_features(Features(np.array([[0.5, -1.0]]), "sentence", "text", "dense"))
    classifier = BlendedIntentClassifier(
        BlendedIntentClassifier.get_default_config(), "blend", None, None
    )
    rasas = LogisticRegressionClassifier._create_X(classifier, [message])
    assert same_matrix(classifier._create_X([message]), rasas)
    assert isinstance(rasas, scipy.sparse.csr_matrix)


def test_the_loaded_weights_give_the_same_probabilities(featurized):
    storage, data, messages = featurized
    resource = Resource("blend")
    context = ExecutionContext(graph_schema=None, node_name="blend")
    config = BlendedIntentClassifier.get_default_config()
    BlendedIntentClassifier.create(config, storage, resource, context).train(data)
    loaded = BlendedIntentClassifier.load(config, storage, resource, context)
    # Stored so that scikit-learn's product with coef_.T needs no copy of it.
    assert loaded.clf.coef_.T.flags["C_CONTIGUOUS"]

    X = loaded._create_X(messages("can my therapist and i be friends", "tell me a joke"))
    ours = loaded.clf.predict_proba(X)
    loaded.clf.coef_ = np.ascontiguousarray(loaded.clf.coef_)
    assert np.array_equal(ours, loaded.clf.predict_proba(X))


@pytest.mark.model
async def test_predictions_are_those_of_rasas_regression_input():
    examples = [m.get("text") for m in load_data("data/nlu").intent_examples]
    texts = examples[1::6] + CRISIS[1::3] + NOT_CRISIS[1::3] + EXTRA
    model = str(model_path())

    ours = await predictions(Agent.load(model), texts)
    rasas_load = classmethod(LogisticRegressionClassifier.load.__func__)
    with (
        patch.object(BlendedIntentClassifier, "_create_X", LogisticRegressionClassifier._create_X),
        patch.object(BlendedIntentClassifier, "load", rasas_load),
    ):
        rasas = await predictions(Agent.load(model), texts)

    assert len(ours) > 500
    assert ours == rasas
