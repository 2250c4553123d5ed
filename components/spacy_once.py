"""Load the spaCy model once per process, not once per pipeline node.

Rasa's predict graph has two SpacyNLP nodes, one that provides the model to
the other components and one that parses messages with that provided model;
each loads its own copy of the model, and the second copy is never used. With
`load_model` memoised both nodes share one: a second or two less start-up and
one model less in memory. The model is only read after loading, so sharing it
is safe.

`install()` runs when this package is imported, which Rasa does while reading
the model's graph, before it creates any component.
"""
from __future__ import annotations

import functools

from rasa.nlu.utils.spacy_utils import SpacyNLP

_MARK = "_loads_once"


def install() -> None:
    """Makes SpacyNLP load each spaCy model once (idempotent)."""
    if getattr(SpacyNLP.load_model, _MARK, False):
        return
    load_once = functools.lru_cache(maxsize=None)(SpacyNLP.load_model)
    setattr(load_once, _MARK, True)
    SpacyNLP.load_model = staticmethod(load_once)
