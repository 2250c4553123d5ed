"""The crisis patterns of nlu_patterns/crisis_patterns.yml, compiled into spaCy matchers.

Kept apart from the Rasa component so the patterns can be loaded, checked and
tested with spaCy alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from project.yaml_files import ConfigFileError, load_mapping

Pattern = List[Dict[str, object]]
# Token attributes that match words (others, such as IS_SENT_START, are rightly true/false).
WORD_ATTRIBUTES = {"LOWER", "LEMMA", "TEXT", "ORTH", "NORM"}


class PatternError(ConfigFileError):
    """A mistake in the patterns file, naming the file and the entry."""


@dataclass(frozen=True)
class Family:
    """A kind of crisis language: its patterns and the examples they must match."""

    name: str
    entry: str  # where it stands in the file, for error messages
    description: str
    patterns: Tuple[Pattern, ...]
    examples: Tuple[str, ...]


@dataclass(frozen=True)
class CrisisMatch:
    family: str
    start: int
    end: int
    text: str


class CrisisMatcher:
    """Finds crisis language in a parsed message, ignoring harmless idioms."""

    def __init__(self, families: Sequence[Family], harmless: Family, source: Path) -> None:
        self.families = {family.name: family for family in families}
        self.harmless = harmless
        # Patterns compare hashes of lower-cased words and lemmas, which are the
        # same in every vocabulary, so the matchers need not share SpacyNLP's.
        self._vocab = Vocab()
        self._crisis = Matcher(self._vocab, validate=True)
        for family in families:
            _add(self._crisis, family, source)
        self._harmless = Matcher(self._vocab, validate=True)
        _add(self._harmless, harmless, source)

    @classmethod
    def from_file(cls, path: Path) -> "CrisisMatcher":
        content = load_mapping(path, error=PatternError)
        entries = content.get("families")
        if not isinstance(entries, dict) or not entries:
            raise PatternError(path, "families", "needs at least one family of patterns")
        families = [
            _family(path, f"families.{name}", name, entry) for name, entry in entries.items()
        ]
        harmless = _family(path, "harmless", "harmless", content.get("harmless"))
        return cls(families, harmless, path)

    def matches(self, doc: Doc) -> List[CrisisMatch]:
        """The crisis matches in `doc` that no harmless idiom contains."""
        harmless_spans = [(start, end) for _, start, end in self._harmless(doc)]
        return [
            CrisisMatch(self._vocab.strings[key], start, end, doc[start:end].text)
            for key, start, end in self._crisis(doc)
            if not any(h_start <= start and end <= h_end for h_start, h_end in harmless_spans)
        ]


def _family(path: Path, entry: str, name: str, value: object) -> Family:
    if not isinstance(value, dict):
        raise PatternError(path, entry, "must be a mapping with description, patterns, examples")
    patterns = value.get("patterns")
    if not isinstance(patterns, list) or not patterns:
        raise PatternError(path, f"{entry}.patterns", "needs at least one pattern")
    for index, pattern in enumerate(patterns):
        if (
            not isinstance(pattern, list)
            or not pattern
            or not all(isinstance(token, dict) for token in pattern)
        ):
            raise PatternError(
                path, f"{entry}.patterns[{index}]", "must be a list of token mappings"
            )
        if _has_bool(pattern):
            raise PatternError(
                path,
                f"{entry}.patterns[{index}]",
                'YAML reads on, off, yes and no as true/false: quote them ("on")',
            )
    examples = value.get("examples")
    if not isinstance(examples, list) or not examples:
        raise PatternError(path, f"{entry}.examples", "needs at least one example")
    return Family(
        name=name,
        entry=entry,
        description=str(value.get("description") or ""),
        patterns=tuple(patterns),
        examples=tuple(str(example) for example in examples),
    )


def _has_bool(pattern: Pattern) -> bool:
    """True when a word to match was read as true/false (on, off, yes, no unquoted)."""
    for token in pattern:
        for key, value in token.items():
            if key not in WORD_ATTRIBUTES:
                continue
            values = list(value.values()) if isinstance(value, dict) else [value]
            for item in values:
                items = item if isinstance(item, list) else [item]
                if any(isinstance(word, bool) for word in items):
                    return True
    return False


def _add(matcher: Matcher, family: Family, path: Path) -> None:
    for index, pattern in enumerate(family.patterns):
        try:
            matcher.add(family.name, [pattern])
        except (ValueError, KeyError, TypeError) as error:
            raise PatternError(path, f"{family.entry}.patterns[{index}]", str(error)) from None
