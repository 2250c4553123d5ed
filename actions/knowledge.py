"""The clinic's knowledge base: points, topic answers, follow-ups and replies.

Everything the assistant says comes from the YAML files in `knowledge/` and
`clinic/`, so a clinic changes wording without touching code. The files are
loaded and validated once, when the action server starts; a mistake stops it
with an error that names the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

from actions.sources import Source, clinic_policies, load_codes
from project.paths import PROJECT_ROOT
from project.topics import AFTER_THERAPY_TOPICS, DURING_THERAPY_TOPICS, TOPICS
from project.yaml_files import ConfigFileError, load_mapping

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
DOCUMENT_FILE = "post-therapy-relationships.md"
CODES_DIR = "codes"
# Regions a part may be limited to (a part without `regions` is for every reader).
REGIONS = ("United States", "United Kingdom")

# Fixed by the contract (docs/contract.md, sections 1-3).
POINT_IDS = (
    "care_is_natural",
    "professional_relationship",
    "no_personal_relationship_after",
    "objectivity",
    "power_imbalance",
    "confidentiality",
    "boundary_confusion",
    "ethical_guidelines",
    "cooling_off",
    "discuss_openly",
    "referral",
    "client_wellbeing",
)
# The file that answers each group of topics.
TOPIC_FILES = {
    "topics.yml": AFTER_THERAPY_TOPICS,
    "topics_during_therapy.yml": DURING_THERAPY_TOPICS,
}
ROLES = ("client", "therapist")
# Wording for a reader whose role is unknown.
ANY_ROLE = "any"
READERS = ROLES + (ANY_ROLE,)
FOLLOWUPS = ("why", "how_long", "both_want", "online")
# The phase of therapy a question is about (actions/phase.py).
DURING = "during"
AFTER = "after"
# Wording of everything that is not a topic answer: small talk and the first-reply
# disclaimer (replies.yml); crisis, misconduct, scope and hand-off (safety_replies.yml).
REPLY_FILES = ("replies.yml", "safety_replies.yml")
# Cooling-off is about non-romantic contact; it is never a route to romance.
FORBIDDEN_POINTS = {"romance": ("cooling_off",)}


class KnowledgeError(ConfigFileError):
    """A mistake in the knowledge base, naming the file and the entry."""


@dataclass(frozen=True)
class Point:
    id: str
    title: str
    passage: str
    sentences: Mapping[str, str]  # role -> one sentence in that reader's words


@dataclass(frozen=True)
class Part:
    """A piece of an answer and the points its words rest on."""

    text: str
    points: Tuple[str, ...] = ()
    # Code sections and clinic policies (actions.sources) the words rest on.
    codes: Tuple[str, ...] = ()
    # Set when the part is only for readers in these regions (codes and regulators differ).
    regions: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    # How a hedged answer names the question it answers: "If you're asking {asked_as}: ..."
    asked_as: str
    reasons: Tuple[str, ...]
    answers: Mapping[str, Tuple[Part, ...]]  # reader -> parts
    # reader -> parts, for a topic of both phases asked about ongoing therapy (contract,
    # section 2); `answers` then covers former clients and says so.
    during: Mapping[str, Tuple[Part, ...]]
    # follow-up -> reader -> parts, where the topic words a follow-up its own way
    followups: Mapping[str, Mapping[str, Tuple[Part, ...]]]


@dataclass(frozen=True)
class KnowledgeBase:
    document: str
    points: Mapping[str, Point]
    topics: Mapping[str, Topic]
    followups: Mapping[str, Mapping[str, Tuple[Part, ...]]]
    replies: Mapping[str, object]
    # Code sections and clinic policies, by id.
    sources: Mapping[str, Source] = field(default_factory=dict)

    def answer(self, topic: str, reader: str, phase: str = "") -> Tuple[Part, ...]:
        """The topic's answer; its wording for ongoing therapy when `phase` is "during"."""
        if phase == DURING and self.topics[topic].during:
            return self.topics[topic].during[reader]
        return self.topics[topic].answers[reader]

    def followup(self, topic: str, followup: str, reader: str) -> Tuple[Part, ...]:
        """The topic's own wording of a follow-up, else the general one."""
        own = self.topics[topic].followups.get(followup)
        if own:
            return own[reader]
        if followup == "why":
            return self._reasons(topic, reader)
        return self.followups[followup][reader]

    def _reasons(self, topic: str, reader: str) -> Tuple[Part, ...]:
        intro = self.followups["why"][reader]
        sentence_role = reader if reader in ROLES else "client"
        reasons = tuple(
            Part(self.points[p].sentences[sentence_role], (p,)) for p in self.topics[topic].reasons
        )
        return intro + reasons

    def text(self, *keys: str) -> str:
        """A wording from the reply files, e.g. text("smalltalk", "greet", "client")."""
        node = self._entry(keys)
        if not isinstance(node, str):
            raise KnowledgeError("replies", ".".join(keys), "needs text")
        return node

    def reader_text(self, reader: str, *keys: str) -> str:
        """The reader's own wording where the entry is worded per reader, else its one text."""
        node = self._entry(keys)
        if isinstance(node, Mapping):
            return self.text(*keys, reader)
        return self.text(*keys)

    def words(self, *keys: str) -> List[str]:
        """A list of words or ids, e.g. words("no_topic", "topics")."""
        node = self._entry(keys)
        if not isinstance(node, list):
            raise KnowledgeError("replies", ".".join(keys), "needs a list")
        return [str(word) for word in node]

    def mapping(self, *keys: str) -> Dict[str, str]:
        """An entry of named wordings, e.g. mapping("resource_lines")."""
        node = self._entry(keys)
        if not isinstance(node, Mapping):
            raise KnowledgeError("replies", ".".join(keys), "needs named entries")
        return {str(key): str(value) for key, value in node.items()}

    def has(self, *keys: str) -> bool:
        """True when the reply files have the entry, e.g. has("after_crisis", "greet")."""
        try:
            self._entry(keys)
        except KeyError:
            return False
        return True

    def _entry(self, keys: Sequence[str]) -> object:
        node: object = self.replies
        for key in keys:
            if not isinstance(node, Mapping):
                raise KeyError(".".join(keys))
            node = node[key]
        return node


def normalise(text: str) -> str:
    """Collapses whitespace so wrapped YAML text compares with the document."""
    return re.sub(r"\s+", " ", text).strip()


def load_yaml(directory: Path, name: str) -> dict:
    """A knowledge file (a mapping); mistakes raise KnowledgeError naming the file."""
    return load_mapping(directory / name, name, KnowledgeError)


def _text(file: str, entry: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(file, entry, "needs non-empty text")
    return normalise(value)


def _ids(
    file: str, where: str, item: Mapping[str, object], key: str, known: Sequence[str], what: str
) -> Tuple[str, ...]:
    """The ids a part lists under `key`, each one of `known` (`what` names them in errors)."""
    ids = item.get(key) or []
    if not isinstance(ids, list):
        raise KnowledgeError(file, where, f"{key} must be a list of {what}s")
    for value in ids:
        if value not in known:
            raise KnowledgeError(file, where, f"unknown {what} {value!r}")
    return tuple(ids)


def _parts(
    file: str,
    entry: str,
    value: object,
    point_ids: Sequence[str],
    forbidden: Sequence[str] = (),
    code_ids: Sequence[str] = (),
) -> Tuple[Part, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list) or not value:
        raise KnowledgeError(file, entry, "needs at least one part (text and points)")
    parts = []
    for index, item in enumerate(value):
        where = f"{entry}[{index}]"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise KnowledgeError(file, where, "must be text, or a mapping with text and points")
        points = _ids(file, where, item, "points", point_ids, "point id")
        for point in points:
            if point in forbidden:
                raise KnowledgeError(file, where, f"must not use point {point!r}")
        unknown = [key for key in item if key not in ("text", "points", "codes", "regions")]
        if unknown:
            raise KnowledgeError(
                file, f"{where}.{unknown[0]}", "unknown; use text, points, codes, regions"
            )
        parts.append(
            Part(
                _text(file, f"{where}.text", item.get("text")),
                points,
                _ids(file, where, item, "codes", code_ids, "code or policy id"),
                _ids(file, where, item, "regions", REGIONS, "region"),
            )
        )
    return tuple(parts)


def _by_reader(
    file: str,
    entry: str,
    value: object,
    point_ids: Sequence[str],
    forbidden: Sequence[str] = (),
    code_ids: Sequence[str] = (),
) -> Dict[str, Tuple[Part, ...]]:
    if not isinstance(value, dict):
        raise KnowledgeError(file, entry, f"needs wording for each of {', '.join(READERS)}")
    for reader in value:
        if reader not in READERS:
            raise KnowledgeError(file, f"{entry}.{reader}", f"unknown reader; use {READERS}")
    missing = [reader for reader in READERS if reader not in value]
    if missing:
        raise KnowledgeError(file, entry, f"no wording for {', '.join(missing)}")
    return {
        reader: _parts(file, f"{entry}.{reader}", value[reader], point_ids, forbidden, code_ids)
        for reader in READERS
    }


def _load_points(directory: Path, document: str) -> Dict[str, Point]:
    file = "points.yml"
    entries = load_yaml(directory, file).get("points") or {}
    points = {}
    for point_id, entry in entries.items():
        where = f"points.{point_id}"
        if point_id not in POINT_IDS:
            raise KnowledgeError(file, where, "unknown point id (the contract fixes the ids)")
        if not isinstance(entry, dict):
            raise KnowledgeError(file, where, "must be a mapping")
        passage = _text(file, f"{where}.passage", entry.get("passage"))
        if passage not in document:
            raise KnowledgeError(file, f"{where}.passage", f"is not a passage of {DOCUMENT_FILE}")
        points[point_id] = Point(
            id=point_id,
            title=_text(file, f"{where}.title", entry.get("title")),
            passage=passage,
            sentences={role: _text(file, f"{where}.{role}", entry.get(role)) for role in ROLES},
        )
    missing = [p for p in POINT_IDS if p not in points]
    if missing:
        raise KnowledgeError(file, "points", f"no passage for {', '.join(missing)}")
    return points


def _load_topics(directory: Path, code_ids: Sequence[str]) -> Dict[str, Topic]:
    topics: Dict[str, Topic] = {}
    for file, expected in TOPIC_FILES.items():
        topics.update(_load_topic_file(directory, file, code_ids, defined=topics))
        missing = [t for t in expected if t not in topics]
        if missing:
            raise KnowledgeError(file, "topics", f"no answer for {', '.join(missing)}")
    return topics


def _load_topic_file(
    directory: Path, file: str, code_ids: Sequence[str], defined: Mapping[str, Topic]
) -> Dict[str, Topic]:
    entries = load_yaml(directory, file).get("topics") or {}
    topics = {}
    for topic_id, entry in entries.items():
        where = f"topics.{topic_id}"
        if topic_id in defined:
            raise KnowledgeError(file, where, "defined in another topic file too")
        if topic_id not in TOPICS:
            raise KnowledgeError(file, where, "unknown topic (the contract fixes the topics)")
        if not isinstance(entry, dict):
            raise KnowledgeError(file, where, "must be a mapping")
        forbidden = FORBIDDEN_POINTS.get(topic_id, ())
        reasons = entry.get("reasons") or []
        for reason in reasons:
            if reason not in POINT_IDS:
                raise KnowledgeError(file, f"{where}.reasons", f"unknown point id {reason!r}")
            if reason in forbidden:
                raise KnowledgeError(file, f"{where}.reasons", f"must not use point {reason!r}")
        if not reasons:
            raise KnowledgeError(file, f"{where}.reasons", "needs at least one point")
        followups = entry.get("followups") or {}
        for followup in followups:
            if followup not in FOLLOWUPS:
                raise KnowledgeError(
                    file, f"{where}.followups.{followup}", f"unknown follow-up; use {FOLLOWUPS}"
                )
        topics[topic_id] = Topic(
            id=topic_id,
            title=_text(file, f"{where}.title", entry.get("title")),
            asked_as=_text(file, f"{where}.asked_as", entry.get("asked_as")),
            reasons=tuple(reasons),
            answers=_by_reader(
                file, f"{where}.answer", entry.get("answer"), POINT_IDS, forbidden, code_ids
            ),
            during=_by_reader(
                file, f"{where}.during", entry["during"], POINT_IDS, forbidden, code_ids
            )
            if "during" in entry
            else {},
            followups={
                followup: _by_reader(
                    file, f"{where}.followups.{followup}", wording, POINT_IDS, forbidden, code_ids
                )
                for followup, wording in followups.items()
            },
        )
    return topics


def _load_followups(
    directory: Path, code_ids: Sequence[str]
) -> Dict[str, Dict[str, Tuple[Part, ...]]]:
    file = "followups.yml"
    entries = load_yaml(directory, file).get("followups") or {}
    missing = [f for f in FOLLOWUPS if f not in entries]
    if missing:
        raise KnowledgeError(file, "followups", f"no wording for {', '.join(missing)}")
    return {
        followup: _by_reader(
            file, f"followups.{followup}", entries[followup], POINT_IDS, code_ids=code_ids
        )
        for followup in FOLLOWUPS
    }


def load(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Loads and validates the knowledge base in `directory`."""
    try:
        document = normalise((directory / DOCUMENT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(DOCUMENT_FILE, "(file)", "the clinic's document is missing") from None
    sources = {**load_codes(directory / CODES_DIR), **clinic_policies()}
    return KnowledgeBase(
        document=document,
        points=_load_points(directory, document),
        topics=_load_topics(directory, tuple(sources)),
        followups=_load_followups(directory, tuple(sources)),
        sources=sources,
        replies={
            key: value for name in REPLY_FILES for key, value in load_yaml(directory, name).items()
        },
    )


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The project's knowledge base, loaded once per process."""
    return load()


def points_used(parts: Sequence[Part]) -> List[str]:
    """The point ids a composed reply rests on, in order, without repeats."""
    seen: Dict[str, None] = {}
    for part in parts:
        for point in part.points:
            seen.setdefault(point, None)
    return list(seen)


def sources(kb: KnowledgeBase, point_ids: Sequence[str]) -> List[Dict[str, str]]:
    """The passages behind the points, for the web page's "Based on" chips."""
    return [
        {"id": p, "title": kb.points[p].title, "passage": kb.points[p].passage} for p in point_ids
    ]


def for_regions(parts: Sequence[Part], regions: Sequence[str]) -> Tuple[Part, ...]:
    """The parts for a reader in `regions`: those for everyone, and those of their regions."""
    return tuple(part for part in parts if not part.regions or set(part.regions) & set(regions))


def compose(parts: Sequence[Part]) -> str:
    """Joins the parts of a reply into one paragraph."""
    return " ".join(part.text for part in parts)
