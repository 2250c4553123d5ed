"""Dates ("six months ago") from spaCy's named entities, without parsing twice.

Rasa's SpacyEntityExtractor runs the whole spaCy pipeline a second time on
every message, because SpacyNLP's doc is lower-cased. DATE entities come out
the same from lower-cased text, so this extractor finds them in the doc
SpacyNLP already made, and takes each value from the original text.

With `entity_recogniser: date_cues_only` (config.yml), SpacyNLP leaves the entity
recogniser out of its pipeline (rasa_extensions.nlu.spacy_model):
this extractor runs it, alone, on the messages that may mention a date
(rasa_extensions.nlu.date_cues). Where there is no such doc, or lower-casing changed
the text's length (so offsets would not match), it runs the recogniser on the
original text. Same configuration and output as SpacyEntityExtractor.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.tokens import Doc

from rasa_extensions.nlu.date_cues import may_mention_date
from rasa_extensions.nlu.spacy_model import NER


def recognise_entities(nlp: Language, doc: Doc) -> Doc:
    """`doc` with its named entities, from the recogniser alone (in
    en_core_web_sm it has its own token-to-vector layer, so it needs nothing
    else of the pipeline); from the whole pipeline where the model has no
    component named `ner`."""
    if NER not in nlp.component_names:
        return nlp(doc.text)
    return nlp.get_pipe(NER)(doc)


def entity_doc(message: Message, nlp: Language) -> Doc:
    """A doc whose character offsets fit the message's text, with its entities
    wherever the text may mention a date."""
    text = message.get(TEXT) or ""
    doc = message.get(SPACY_DOCS[TEXT])
    if doc is None or len(doc.text) != len(text):
        doc = nlp.make_doc(text)
    if doc.has_annotation("ENT_IOB") or not may_mention_date(text):
        return doc
    return recognise_entities(nlp, doc)


def entities_in(doc: Doc, text: Text) -> List[Dict[Text, Any]]:
    """SpacyEntityExtractor's entities, each value as written in `text`."""
    return [
        {**entity, "value": text[entity["start"] : entity["end"]]}
        for entity in SpacyEntityExtractor._extract_entities(doc)
    ]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyDateExtractor(SpacyEntityExtractor):
    """SpacyEntityExtractor that reuses SpacyNLP's parse."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = entity_doc(message, model.model)
            found = self.add_extractor_name(entities_in(doc, message.get(TEXT) or ""))
            relevant = self.filter_irrelevant_entities(found, self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + relevant, add_to_output=True)
        return messages
