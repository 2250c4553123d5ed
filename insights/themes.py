"""Grouping the questions the assistant could not answer into themes.

TF-IDF over character n-grams within words (robust to typos and word forms; the
pipeline's spaCy model has no word vectors), then scikit-learn's agglomerative
clustering with cosine distance, cut at a distance threshold. A theme is shown
only when at least MIN_CONVERSATIONS different conversations fall into it;
smaller themes are counted, never shown, so no example can point at one person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from insights.figures import Unanswered

MIN_CONVERSATIONS = 5
EXAMPLES_PER_THEME = 3
# Average cosine distance at which two groups stop merging (tests/insights_report/ pins it
# on questions of known shape).
DISTANCE_THRESHOLD = 0.85


@dataclass
class Theme:
    label: str
    items: List[Unanswered]
    examples: List[str] = field(default_factory=list)

    @property
    def conversations(self) -> int:
        return len({item.conversation for item in self.items})

    @property
    def reasons(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for item in self.items:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return counts


@dataclass
class Themes:
    shown: List[Theme]
    hidden: int  # themes with fewer than MIN_CONVERSATIONS conversations
    hidden_questions: int


def cluster_labels(texts: Sequence[str]) -> np.ndarray:
    if len(texts) < 2:
        return np.zeros(len(texts), dtype=int)
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
    ).fit_transform(texts)
    # scikit-learn 1.1 (pinned by Rasa 3.6) names the distance `affinity`.
    clustering = AgglomerativeClustering(
        n_clusters=None,
        affinity="cosine",
        linkage="average",
        distance_threshold=DISTANCE_THRESHOLD,
    )
    return clustering.fit_predict(vectors.toarray())


def theme_label(texts: Sequence[str]) -> str:
    """The theme's three most distinctive words."""
    try:
        words = TfidfVectorizer(stop_words="english", token_pattern=r"(?u)\b[a-z]{3,}\b")
        matrix = words.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return "(no common words)"
    weights = np.asarray(matrix.sum(axis=0)).ravel()
    vocabulary = np.array(words.get_feature_names_out())
    return ", ".join(vocabulary[np.argsort(-weights)[:3]])


def representatives(items: Sequence[Unanswered], count: int = EXAMPLES_PER_THEME) -> List[str]:
    """A few texts near the theme's centre, each from a different conversation."""
    texts = [item.text for item in items]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(texts)
    centre = np.asarray(vectors.mean(axis=0)).ravel()
    order = np.argsort(-(vectors @ centre))
    chosen: List[str] = []
    seen_conversations = set()
    for index in order:
        item = items[int(index)]
        if item.conversation in seen_conversations or item.text in chosen:
            continue
        chosen.append(item.text)
        seen_conversations.add(item.conversation)
        if len(chosen) == count:
            break
    return chosen


def find_themes(items: Sequence[Unanswered]) -> Themes:
    """Themes of the (already redacted) unanswered questions, largest first."""
    labels = cluster_labels([item.text for item in items])
    groups: Dict[int, List[Unanswered]] = {}
    for item, label in zip(items, labels, strict=True):
        groups.setdefault(int(label), []).append(item)
    shown, hidden, hidden_questions = [], 0, 0
    for members in groups.values():
        if len({item.conversation for item in members}) < MIN_CONVERSATIONS:
            hidden += 1
            hidden_questions += len(members)
            continue
        texts = [item.text for item in members]
        shown.append(Theme(theme_label(texts), members, representatives(members)))
    shown.sort(key=lambda theme: (-theme.conversations, theme.label))
    return Themes(shown, hidden, hidden_questions)
