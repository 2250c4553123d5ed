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

Each prediction then calls the traced graph itself. Rasa traces it as a
tf.function with a fixed input signature, so it has one concrete function, but
calling the tf.function first matches the inputs against the signature: a
third of a millisecond per message, a tenth of DIET's time.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Tuple, Type

import numpy as np
from keras.utils import tf_utils
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.shared.constants import DIAGNOSTIC_DATA
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

    def _rasa_predict(self, batch_in: Tuple[np.ndarray, ...]) -> Dict[Text, Any]:
        """RasaModel._rasa_predict, calling the traced graph's one concrete function."""
        if self._tf_predict_step is None or self._run_eagerly:
            return super()._rasa_predict(batch_in)  # the first call traces the graph
        graph = self.__dict__.get("_predict_graph")
        if graph is None:
            # Kept out of Keras' attribute tracking: it is no part of the model's state.
            graph = self.__dict__["_predict_graph"] = self._tf_predict_step.get_concrete_function()
        self._training = False
        outputs = tf_utils.sync_to_numpy_or_python_type(graph(batch_in))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs


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
