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

Two things make it cheaper per message than Rasa's classifier, with the same
numbers: the regression's input is built from the sentence features alone
(Rasa's `Message.get_sparse_features` also copies and joins every token's
features, which the regression never reads), and the loaded weights are
stored so that the product with them needs no copy of the weight matrix
(scikit-learn multiplies by `coef_.T`, which scipy copies whole on every call
unless it is contiguous).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
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

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LogisticRegressionClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        coef = getattr(component.clf, "coef_", None)
        if coef is not None:
            # Column-major, so that `coef_.T` is a contiguous row-major matrix.
            component.clf.coef_ = np.asfortranarray(coef)
        return component

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        """Rasa's `_create_X` (the same matrix), from the sentence features alone."""
        rows = [regression_row(message) for message in messages]
        return rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows)

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


def regression_row(message: Message) -> scipy.sparse.csr_matrix:
    """The message's row of the regression's input, as Rasa's `_create_X` makes
    it: the sparse sentence features side by side, then the dense ones, in
    float64. Where there are only sparse features, each one row (every message
    of this pipeline), the row is assembled directly rather than through
    scipy's general stacking, which costs more than the regression itself."""
    sparse = [
        features.features
        for features in message.features
        if features.attribute == TEXT
        and features.type == FEATURE_TYPE_SENTENCE
        and features.is_sparse()
    ]
    if not sparse or sentence_features(message, False) is not None:
        return _stacked_row(message)
    blocks = [block.tocoo() for block in sparse]
    if any(block.shape[0] != 1 for block in blocks):
        return _stacked_row(message)
    offsets = np.cumsum([0] + [block.shape[1] for block in blocks])
    columns = np.concatenate(
        [block.col + offset for block, offset in zip(blocks, offsets[:-1], strict=True)]
    )
    data = np.concatenate([block.data for block in blocks])
    row = scipy.sparse.csr_matrix(
        (data, columns, np.array([0, len(columns)])), shape=(1, int(offsets[-1]))
    )
    # What converting the stacked features to CSR does: order by column, add repeats.
    row.sum_duplicates()
    # Rasa then stacks the row beside an empty float64 matrix: float64.
    return row.astype(np.result_type(row.dtype, np.float64))


def _stacked_row(message: Message) -> scipy.sparse.csr_matrix:
    """Rasa's way: sparse and dense sentence features, stacked by scipy."""
    return scipy.sparse.hstack(
        [
            scipy.sparse.csr_matrix(_empty_if_none(sentence_features(message, True))),
            scipy.sparse.csr_matrix(_empty_if_none(sentence_features(message, False))),
        ]
    )


def sentence_features(message: Message, sparse: bool) -> Optional[Any]:
    """The text's sparse or dense sentence features, side by side in the
    featurizers' order: what `Message.get_sparse_features` (or
    `get_dense_features`) returns as its second item, without copying."""
    combined = None
    for features in message.features:
        if (
            features.attribute != TEXT
            or features.type != FEATURE_TYPE_SENTENCE
            or features.is_sparse() != sparse
        ):
            continue
        if combined is None:
            combined = features.features
        elif sparse:
            combined = scipy.sparse.hstack([combined, features.features])
        else:
            combined = np.concatenate((combined, features.features), axis=-1)
    return combined


def _empty_if_none(matrix: Optional[Any]) -> Any:
    return [] if matrix is None else matrix


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
