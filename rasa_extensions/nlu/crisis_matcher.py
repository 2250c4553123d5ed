"""The crisis patterns of nlu_patterns/crisis_patterns.yml, compiled into spaCy matchers.

Kept apart from the Rasa component so the patterns can be loaded, checked and
tested with spaCy alone. Before the Matcher runs, a quick test of the words the
patterns need (`RequiredWords`) spares it the messages no pattern can match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple, Union
from typing import Pattern as RegexPattern

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from project.yaml_files import ConfigFileError, load_mapping

Pattern = List[Dict[str, object]]
# Token attributes that match words (others, such as IS_SENT_START, are rightly true/false).
WORD_ATTRIBUTES = {"LOWER", "LEMMA", "TEXT", "ORTH", "NORM"}
# The token attributes `RequiredWords` reads, as spaCy's Matcher compares them.
READ_ATTRIBUTES = {"LOWER": "lower_", "LEMMA": "lemma_"}
# Quantifiers under which a pattern token may match no word at all.
OPTIONAL_OPS = {"?", "*", "!"}


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
        self._required = RequiredWords([p for family in families for p in family.patterns])

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
        if not self._required.may_match(doc):
            return []  # what the matchers would find, in a tenth of the time
        harmless_spans = [(start, end) for _, start, end in self._harmless(doc)]
        return [
            CrisisMatch(self._vocab.strings[key], start, end, doc[start:end].text)
            for key, start, end in self._crisis(doc)
            if not any(h_start <= start and end <= h_end for h_start, h_end in harmless_spans)
        ]


# What one pattern token asks of a word: (attribute, the words it accepts or a regex).
Requirement = Tuple[str, Union[FrozenSet[str], RegexPattern[str]]]


class RequiredWords:
    """Whether any of the patterns can match a doc at all, by the words they need.

    Every token a match must consume (not optional) that names words through
    LOWER or LEMMA (a word, a list under IN, a REGEX) needs one of those words
    in the doc; a pattern missing one cannot match. Tokens it cannot read
    (other attributes, other predicates) it leaves out, so it only ever rules
    out patterns that cannot match: the Matcher runs on every doc where one
    might, and alone decides what matched. Most messages need no Matcher.
    """

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self._patterns = [tuple(filter(None, map(_requirement, pattern))) for pattern in patterns]

    def may_match(self, doc: Doc) -> bool:
        words = {
            attribute: {getattr(token, name) for token in doc}
            for attribute, name in READ_ATTRIBUTES.items()
        }
        known: Dict[Requirement, bool] = {}

        def met(requirement: Requirement) -> bool:
            if requirement not in known:
                attribute, accepted = requirement
                if isinstance(accepted, frozenset):
                    known[requirement] = not accepted.isdisjoint(words[attribute])
                else:
                    known[requirement] = any(accepted.search(word) for word in words[attribute])
            return known[requirement]

        return any(all(map(met, needs)) for needs in self._patterns)


def _requirement(token: Dict[str, object]) -> Optional[Requirement]:
    """What a pattern token needs of some word of the doc, if it needs a word."""
    if str(token.get("OP", "")) in OPTIONAL_OPS or _may_repeat_zero_times(token.get("OP")):
        return None
    for attribute in READ_ATTRIBUTES:
        value = token.get(attribute)
        if isinstance(value, str):
            return attribute, frozenset([value])
        if isinstance(value, dict) and len(value) == 1:
            [(predicate, argument)] = value.items()
            if predicate == "IN" and all(isinstance(word, str) for word in argument):
                return attribute, frozenset(argument)
            if predicate == "REGEX" and isinstance(argument, str):
                return attribute, re.compile(argument)
    return None


def _may_repeat_zero_times(op: object) -> bool:
    """`{0,3}`, `{,2}` or `{0}`: a quantifier with a minimum of nought."""
    text = str(op or "")
    return text.startswith("{") and text[1:].split(",")[0].strip("} ") in ("", "0")


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
