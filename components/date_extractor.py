"""Dates ("six months ago") from spaCy's named entities, at a fraction of the cost.

Rasa's SpacyEntityExtractor runs the whole spaCy pipeline a second time on
every message, because SpacyNLP's doc is lower-cased and the entity recogniser
needs the original case. Only the recogniser is needed for that: in
en_core_web_sm it has its own token-to-vector layer, so this extractor runs the
tokenizer and `ner` alone on the original text. Same configuration and output
as SpacyEntityExtractor.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.tokens import Doc

NER = "ner"


def recognise_entities(nlp: Language, text: str) -> Doc:
    """The doc of `text` with its named entities, running only the recogniser
    (the whole pipeline where the model has no component named `ner`)."""
    if NER not in nlp.pipe_names:
        return nlp(text)
    return nlp.get_pipe(NER)(nlp.make_doc(text))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyDateExtractor(SpacyEntityExtractor):
    """SpacyEntityExtractor that runs only spaCy's entity recogniser."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = recognise_entities(model.model, message.get(TEXT) or "")
            found = self.add_extractor_name(self._extract_entities(doc))
            relevant = self.filter_irrelevant_entities(found, self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + relevant, add_to_output=True)
        return messages
