"""A second opinion on the intent: logistic regression, averaged with DIET.

DIET alone is sure of itself on questions unlike its examples ("how long do
cats live" is a follow-up about waiting, with 0.96). A logistic regression over
the same sentence features errs elsewhere and less confidently, and the average
of the two probabilities is right more often than either: 5-fold
cross-validation puts the numbers in docs/nlu.md.

This component runs after DIET. It trains Rasa's LogisticRegressionClassifier
(persisted with skops, as Rasa does) and, for each message, replaces DIET's
intent and ranking with the weighted mean of both rankings. An intent missing
from DIET's ranking counts as 0 there.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH

DIET_WEIGHT_KEY = "diet_weight"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class BlendedIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression whose probabilities are averaged with DIET's ranking."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            # lbfgs needs more than the default 100 iterations to converge on these features.
            "max_iter": 1000,
            DIET_WEIGHT_KEY: 0.5,
        }

    def process(self, messages: List[Message]) -> List[Message]:
        # A message without tokens (an empty text) has no features to regress
        # on: it keeps what DIET said.
        featured = [message for message in messages if message.features_present(TEXT)]
        if not featured:
            return messages
        probabilities = self.clf.predict_proba(self._create_X(featured))
        for message, row in zip(featured, probabilities, strict=True):
            regression = dict(zip(self.clf.classes_, row, strict=True))
            ranking = blend(ranking_of(message), regression, self.config[DIET_WEIGHT_KEY])
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


def ranking_of(message: Message) -> Dict[Text, float]:
    """The confidences an earlier classifier left, by intent name."""
    return {
        ranked[INTENT_NAME_KEY]: float(ranked.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        for ranked in message.get(INTENT_RANKING_KEY) or []
    }


def blend(
    diet: Dict[Text, float], regression: Dict[Text, float], diet_weight: float
) -> List[Dict[Text, Any]]:
    """The weighted mean of two rankings, most confident first (ties by name)."""
    names = set(diet) | set(regression)
    mean = {
        name: diet_weight * diet.get(name, 0.0) + (1 - diet_weight) * regression.get(name, 0.0)
        for name in names
    }
    return [
        {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: float(confidence)}
        for name, confidence in sorted(mean.items(), key=lambda item: (-item[1], item[0]))
    ]
