"""Whether a text may name a date or a length of time, before parsing it.

spaCy's entity recogniser is half the cost of parsing a message, and the
assistant needs only its DATE entities ("six months ago", "last spring").
Every such entity contains a number, a unit of time, a named month, day,
season or holiday, or a word like "ago" or "last"; a message with none of
these has no DATE entity, so the recogniser need not run on it.
"""

from __future__ import annotations

import re
from typing import Text

_NUMBERS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"half|couple|few|several|many|dozen|first|second|third|fourth|fifth"
)
_UNITS = (
    r"sec|secs?|seconds?|min|mins|minutes?|hours?|hrs?|days?|nights?|weeks?|wks?|"
    r"weekends?|fortnights?|months?|mths?|mos?|years?|yrs?|decades?|centur(?:y|ies)|"
    r"daily|weekly|monthly|yearly|annual(?:ly)?|ages"
)
_NAMES = (
    r"jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|"
    r"sep|sept|september|oct|october|nov|november|dec|december|"
    r"mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|"
    r"sat|saturday|sun|sunday|spring|summer|fall|autumn|winter|"
    r"christmas|xmas|easter|thanksgiving|halloween|hanukkah|ramadan|eid|diwali|holidays?|"
    r"birthday|anniversary|semester|term"
)
_RELATIVE = (
    r"ago|yesterday|today|tonight|tomorrow|tmrw|tmr|last|next|past|recent|recently|"
    r"lately|earlier|later|since|until|till|soon|once|now|nowadays|era|period|time"
)
_CUE = re.compile(
    rf"\d|\b(?:{_NUMBERS}|{_UNITS}|{_NAMES}|{_RELATIVE})\b",
    re.IGNORECASE,
)


def may_mention_date(text: Text) -> bool:
    """False only when `text` cannot hold a DATE entity."""
    return bool(_CUE.search(text))
