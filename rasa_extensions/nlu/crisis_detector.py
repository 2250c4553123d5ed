"""Crisis first: an intent classifier that overrides the model when a message shows risk.

DIET learns `crisis` from examples, but a missed crisis costs too much to rest on
a statistical model alone. This component runs after DIET and before the
FallbackClassifier. It sets the intent to `crisis` when a pattern of
nlu_patterns/crisis_patterns.yml matches the spaCy doc SpacyNLP already made (outside
the file's harmless idioms), or when DIET gives `crisis` at least
`model_threshold`, even where another intent ranked higher. It never lowers a
crisis DIET found: missing a crisis costs more than answering ordinary sadness
with help lines.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from project.paths import PROJECT_ROOT
from rasa_extensions.nlu.crisis_matcher import CrisisMatcher

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
PATTERNS_KEY = "patterns"
MODEL_THRESHOLD_KEY = "model_threshold"
# Why a message was taken for a crisis, kept in the parse result for review.
DETECTION_KEY = "crisis_detection"
# Relative pattern paths are read from the project root, whatever the working directory.


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(GraphComponent, IntentClassifier):
    """Sets the intent to `crisis` on risk language or on the model's doubt."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {PATTERNS_KEY: "nlu_patterns/crisis_patterns.yml", MODEL_THRESHOLD_KEY: 0.45}

    def __init__(self, config: Dict[Text, Any], matcher: CrisisMatcher) -> None:
        self.component_config = config
        self.matcher = matcher

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        """Reads the patterns once; `load` calls this too, so a restart picks up edits."""
        return cls(config, CrisisMatcher.from_file(patterns_path(config[PATTERNS_KEY])))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            detection = self._detect(message)
            if detection:
                logger.debug(f"Crisis detected: {detection}")
                mark_crisis(message, detection)
        return messages

    def _detect(self, message: Message) -> Optional[Dict[Text, Any]]:
        doc = message.get(SPACY_DOCS[TEXT])
        matches = self.matcher.matches(doc) if doc is not None else []
        if matches:
            return {
                "by": "pattern",
                "matches": [{"family": m.family, "text": m.text} for m in matches],
            }
        confidence = model_confidence(message, CRISIS_INTENT)
        if confidence >= self.component_config[MODEL_THRESHOLD_KEY]:
            return {"by": "model", "confidence": confidence}
        return None


def patterns_path(name: Text) -> Path:
    path = Path(name)
    return path if path.is_absolute() else PROJECT_ROOT / path


def model_confidence(message: Message, intent: Text) -> float:
    """The confidence the classifiers before this one gave `intent`."""
    for ranked in message.get(INTENT_RANKING_KEY) or []:
        if ranked.get(INTENT_NAME_KEY) == intent:
            return float(ranked.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return 0.0


def mark_crisis(message: Message, detection: Dict[Text, Any]) -> None:
    """Makes `crisis` the intent, certain and first in the ranking.

    The other intents keep their order at half their confidence: left as they
    were, one could come within the FallbackClassifier's ambiguity threshold of
    1.0 and turn a certain crisis into `nlu_fallback`.
    """
    crisis = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
    others = [
        {**ranked, PREDICTED_CONFIDENCE_KEY: float(ranked.get(PREDICTED_CONFIDENCE_KEY) or 0.0) / 2}
        for ranked in message.get(INTENT_RANKING_KEY) or []
        if ranked.get(INTENT_NAME_KEY) != CRISIS_INTENT
    ]
    message.set(INTENT, crisis, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [crisis] + others, add_to_output=True)
    message.set(DETECTION_KEY, detection, add_to_output=True)
