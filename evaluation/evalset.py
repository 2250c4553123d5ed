"""The evaluation set of tests/eval/: loading it into conversations of expected turns.

Each file is a list of groups (format in tests/eval/README.md). A single question is a
conversation of one turn, so questions and dialogues run and count the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from project.paths import PROJECT_ROOT

# The contract's topics, which the set's questions are counted by (re-exported).
from project.topics import AFTER_THERAPY_TOPICS as AFTER_THERAPY_TOPICS
from project.topics import DURING_THERAPY_TOPICS as DURING_THERAPY_TOPICS
from project.topics import TOPICS as TOPICS

EVAL_DIR = PROJECT_ROOT / "tests" / "eval"
QUESTION_FILES = ("topics.yml", "safety.yml", "other.yml")
DIALOGUE_FILE = "dialogues.yml"
DURING_THERAPY_FILE = "during_therapy.yml"
THRESHOLDS_FILE = EVAL_DIR / "thresholds.yml"

# Contract, sections 2-4.
KINDS = ("answer", "crisis", "misconduct", "out_of_scope", "clarify", "handoff", "smalltalk")
# "none" sends no metadata.role, as a page that does not say who is asking.
ROLES = ("client", "therapist", "none")


@dataclass(frozen=True)
class Turn:
    text: str
    kind: str
    topic: Optional[str]
    role: str
    conversation: str  # e.g. "topics.yml#12" or "dialogues.yml#3"
    index: int  # 0 for a question or a dialogue's first turn

    @property
    def is_followup(self) -> bool:
        return self.index > 0


@dataclass(frozen=True)
class Conversation:
    name: str
    role: str
    turns: Tuple[Turn, ...]


def normalise(text: str) -> str:
    """Lowercase, punctuation stripped, whitespace collapsed: how duplicates are compared."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _read(name: str) -> List[Dict[str, Any]]:
    groups = yaml.safe_load((EVAL_DIR / name).read_text(encoding="utf-8"))
    if not isinstance(groups, list):
        raise ValueError(f"{name}: expected a list of groups")
    return groups


def _question_cases(group: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """The cases of a group: its role lists, then its `cases`, with the group's defaults."""
    defaults = {"kind": group.get("kind"), "topic": group.get("topic")}
    for role in ROLES:
        for text in group.get(role, []) or []:
            yield {**defaults, "role": role, "text": text}
    for case in group.get("cases", []) or []:
        yield {**defaults, **case}


def load_questions(names: Tuple[str, ...] = QUESTION_FILES) -> List[Conversation]:
    conversations = []
    for name in names:
        count = 0
        for group in _read(name):
            for case in _question_cases(group):
                count += 1
                label = f"{name}#{count}"
                turn = Turn(case["text"], case["kind"], case.get("topic"), case["role"], label, 0)
                conversations.append(Conversation(label, turn.role, (turn,)))
    return conversations


def load_dialogues(name: str = DIALOGUE_FILE) -> List[Conversation]:
    conversations = []
    for number, dialogue in enumerate(_read(name), start=1):
        label, role = f"{name}#{number}", dialogue["role"]
        turns = tuple(
            Turn(turn["text"], turn["kind"], turn.get("topic"), role, label, index)
            for index, turn in enumerate(dialogue["turns"])
        )
        conversations.append(Conversation(label, role, turns))
    return conversations


def load_all() -> List[Conversation]:
    return load_questions() + load_dialogues() + load_questions((DURING_THERAPY_FILE,))


def all_turns(conversations: List[Conversation]) -> List[Turn]:
    return [turn for conversation in conversations for turn in conversation.turns]


# The sections of thresholds.yml: the targets the assistant is held to (`make eval`), and
# the floor below which the build fails (`make test`), today's figures less a margin.
TARGETS = "thresholds"
GATE = "gate"


def load_thresholds(
    section: str = TARGETS, path: Path = THRESHOLDS_FILE
) -> Dict[str, Dict[str, float]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))[section]
