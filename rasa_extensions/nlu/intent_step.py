"""What the pipeline's settings-free intent steps share (feedback_intent, misconduct_first).

Each runs after the classifiers and may replace the intent they chose; neither
has settings or trained state, so Rasa creates and loads them the same way.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


def intent_name(message: Message) -> Optional[Text]:
    """The intent the pipeline has chosen so far, if any."""
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


class IntentStep(GraphComponent, IntentClassifier):
    """A pipeline step without settings that may replace the chosen intent."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()
