"""DIETClassifier that loads in a few seconds instead of half a minute.

To give a new DIET model its weights, Rasa compiles it and trains it for one
step on one example before reading the saved weights over them. Tracing that
training step (the loss of every head, the entity CRF, the gradients) is most
of the Rasa server's start-up: about 25 of its 38 seconds here.

TensorFlow checkpoints restore the variables of a model that does not have
them yet as soon as they are created. This loader reads the weights first and
then runs the one prediction Rasa runs anyway to trace the prediction graph:
that creates exactly the variables prediction uses, with their trained values,
before the labels' embeddings are computed and the graph is traced. Training,
and loading for fine-tuning, are Rasa's own.
"""

from __future__ import annotations

from typing import Any, Optional, Text, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


class QuickLoadingDIET(DIET):
    """DIET's TensorFlow model, loaded for prediction without a training step."""

    @classmethod
    def load(
        cls,
        model_file_name: Text,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or predict_data_example is None:
            # Training goes on from here: it needs the optimiser, built Rasa's way.
            return super().load(
                model_file_name,
                model_data_example,
                predict_data_example,
                finetune_mode,
                *args,
                **kwargs,
            )
        model = cls(*args, **kwargs)
        # The checkpoint also holds the optimiser's state, which prediction
        # never creates: a partial match is expected.
        model.load_weights(model_file_name).expect_partial()
        model.run_inference(predict_data_example)
        return model


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class QuickLoadingDIETClassifier(DIETClassifier):
    """Rasa's DIETClassifier; only its loading for prediction differs."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return QuickLoadingDIET
