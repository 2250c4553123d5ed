"""The quick DIET loader gives the trained model's very predictions, without
Rasa's one-step training, and so does its direct call of the traced graph."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.shared.nlu.training_data.loading import load_data

from rasa_extensions.nlu.diet import QuickLoadingDIET, QuickLoadingDIETClassifier
from tests.test_crisis_detection import CRISIS, NOT_CRISIS, model_path

EXTRA = [
    "therapy ended six months ago, can we be friends?",
    "a former client invited me to their wedding, should i go",
    "can i add my old counselor on instagram",
    "",
]


def test_the_classifier_builds_the_quick_model():
    assert QuickLoadingDIETClassifier.model_class() is QuickLoadingDIET
    assert issubclass(QuickLoadingDIET, DIET)


def test_fine_tuning_loads_rasas_way():
    with patch.object(DIET, "load", return_value="rasa's") as rasas_load:
        assert QuickLoadingDIET.load("weights", "example", "predict example", True) == "rasa's"
    rasas_load.assert_called_once()


async def predictions(agent: Agent, texts):
    found = []
    for text in texts:
        parsed = await agent.parse_message(text)
        entities = [
            (e["entity"], e["value"], e["start"], e.get("confidence_entity"))
            for e in parsed["entities"]
        ]
        found.append((text, parsed["intent_ranking"], entities))
    return found


@pytest.mark.model
async def test_predictions_are_those_of_rasas_loader():
    examples = [m.get("text") for m in load_data("data/nlu").intent_examples]
    texts = examples[::6] + CRISIS[::3] + NOT_CRISIS[::3] + EXTRA
    model = str(model_path())

    agent = Agent.load(model)
    quick = await predictions(agent, texts)
    with patch.object(QuickLoadingDIET, "load", DIET.load):
        rasas = await predictions(Agent.load(model), texts)

    assert len(quick) > 500
    assert quick == rasas
    # The quick model's predictions called its traced graph directly.
    [diet] = [
        node._component
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(node._component, QuickLoadingDIETClassifier)
    ]
    assert isinstance(diet.model, QuickLoadingDIET)
    assert diet.model.__dict__.get("_predict_graph") is not None
