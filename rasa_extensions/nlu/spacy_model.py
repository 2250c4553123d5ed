"""How the pipeline's spaCy model is loaded: once per process, with its entity
recogniser left for the messages that need it.

Rasa's predict graph has two SpacyNLP nodes, one that provides the model to
the other components and one that parses messages with that provided model;
each loads its own copy of the model, and the second copy is never used. With
`load_model` memoised both nodes share one: a second or two less start-up and
one model less in memory. The model is only read after loading, so sharing it
is safe.

The entity recogniser is half the cost of parsing a message, and the assistant
uses only its DATE entities. It is disabled in the loaded pipeline, and
rasa_extensions.nlu.date_extractor runs it on the messages that may mention a date
(rasa_extensions.nlu.date_cues). No other component reads spaCy's entities.

`install()` runs when this package is imported, which Rasa does while reading
the model's graph, before it creates any component.
"""
from __future__ import annotations

import functools

from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

NER = "ner"
_MARK = "_loads_once"


def without_recogniser(model: SpacyModel) -> SpacyModel:
    """The model with its entity recogniser disabled (still there to call)."""
    if NER in model.model.pipe_names:
        model.model.disable_pipe(NER)
    return model


def install() -> None:
    """Makes SpacyNLP load each spaCy model once, recogniser disabled (idempotent)."""
    if getattr(SpacyNLP.load_model, _MARK, False):
        return
    load = SpacyNLP.load_model

    @functools.lru_cache(maxsize=None)
    def load_once(spacy_model_name: str) -> SpacyModel:
        return without_recogniser(load(spacy_model_name))

    setattr(load_once, _MARK, True)
    SpacyNLP.load_model = staticmethod(load_once)
