"""The pipeline's spaCy model (config.yml's `SpacyNLP`): loaded once per process,
with its entity recogniser where config.yml says.

Rasa's predict graph has two SpacyNLP nodes, one that provides the model to
the other components and one that parses messages with that provided model;
Rasa's SpacyNLP loads a copy for each, and the second copy is never used. This
SpacyNLP loads each model once per process and gives both nodes that one: a
second or two less start-up and one model less in memory. The model is only
read after loading, so sharing it is safe.

The entity recogniser is half the cost of parsing a message, and the assistant
uses only its DATE entities. The `entity_recogniser` option says where it runs:

- `date_cues_only` (config.yml): disabled in the shared pipeline;
  rasa_extensions.nlu.date_extractor runs it on the messages that may mention a
  date (rasa_extensions.nlu.date_cues). A stock SpacyEntityExtractor added to
  the pipeline would find nothing: no other component reads spaCy's entities.
- `every_message`: spaCy's own pipeline, as Rasa's SpacyNLP loads it.

The class keeps Rasa's name `SpacyNLP` on purpose. Rasa 3.6's DefaultV1Recipe
gives SpacyTokenizer, SpacyFeaturizer and the date extractor
(`model_from="SpacyNLP"`) the model of the node whose class is *named*
`SpacyNLP` (rasa/engine/recipes/default_recipe.py, `_get_model_provider_needs`),
and its registry is keyed by class name: registering this class makes the name
`SpacyNLP` resolve to it in the recipe (tests/test_spacy_model.py checks both).
config.yml names it by its module path.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils import spacy_utils
from rasa.nlu.utils.spacy_utils import SpacyModel

NER = "ner"
RECOGNISER_OPTION = "entity_recogniser"
DATE_CUES_ONLY = "date_cues_only"
EVERY_MESSAGE = "every_message"
RECOGNISER_CHOICES = (DATE_CUES_ONLY, EVERY_MESSAGE)


def without_recogniser(model: SpacyModel) -> SpacyModel:
    """The model with its entity recogniser disabled (still there to call)."""
    if NER in model.model.pipe_names:
        model.model.disable_pipe(NER)
    return model


@functools.lru_cache(maxsize=None)
def shared_model(spacy_model_name: Text, recogniser: Text) -> SpacyModel:
    """The process's one copy of a spaCy model, loaded as Rasa's SpacyNLP loads it."""
    model = spacy_utils.SpacyNLP.load_model(spacy_model_name)
    return without_recogniser(model) if recogniser == DATE_CUES_ONLY else model


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    """Rasa's SpacyNLP, with one model per process and the recogniser's place configured."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**spacy_utils.SpacyNLP.get_default_config(), RECOGNISER_OPTION: EVERY_MESSAGE}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyNLP:
        config = {**cls.get_default_config(), **config}
        recogniser = config[RECOGNISER_OPTION]
        if recogniser not in RECOGNISER_CHOICES:
            raise ValueError(
                f"SpacyNLP's {RECOGNISER_OPTION} is {recogniser!r}; use one of "
                f"{', '.join(RECOGNISER_CHOICES)} (config.yml)"
            )
        model = shared_model(config.get("model"), recogniser)
        cls.ensure_proper_language_model(model.model)
        return cls(model, config)
