"""Candidate training examples from the unanswered themes, for a person to review.

Only shown themes contribute (at least five conversations each), with their
redacted examples; each example is marked `review: pending`. Nothing reads this
file automatically: someone decides which intent each belongs to, if any, and
copies it into data/nlu/ by hand.
"""

from __future__ import annotations

from typing import Any, Dict, List

import yaml

from insights.themes import Themes

HEADER = """\
# Candidate NLU training examples: questions the assistant could not answer,
# redacted and grouped into themes (python -m insights --candidates).
# Nothing is trained on automatically. Review each example: choose an intent
# (or drop it), check that no identifier is left, then copy it into data/nlu/.
"""


def candidates(themes: Themes, period: str) -> Dict[str, Any]:
    entries: List[Dict[str, Any]] = []
    for number, theme in enumerate(themes.shown, 1):
        texts = sorted({item.text for item in theme.items})
        entries.append(
            {
                "theme": number,
                "label": theme.label,
                "conversations": theme.conversations,
                "suggested_intent": None,
                "examples": [{"text": text, "review": "pending"} for text in texts],
            }
        )
    return {"period": period, "status": "needs_review", "themes": entries}


def to_yaml(themes: Themes, period: str) -> str:
    body = yaml.safe_dump(
        candidates(themes, period), sort_keys=False, allow_unicode=True, width=100
    )
    return HEADER + body
