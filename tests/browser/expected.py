"""What the real assistant should say, read from the project's knowledge base, so the
tests follow the clinic's wording instead of copying it."""

from __future__ import annotations

from typing import List

from actions.knowledge import compose, knowledge_base, points_used

from .chat import normalise


def answer_text(topic: str, reader: str) -> str:
    return normalise(compose(knowledge_base().answer(topic, reader)))


def answer_sources(topic: str, reader: str) -> List[dict]:
    kb = knowledge_base()
    return [
        {"id": p, "title": kb.points[p].title, "passage": normalise(kb.points[p].passage)}
        for p in points_used(kb.answer(topic, reader))
    ]
