"""Prints an evaluation's figures and writes them, with every miss, under results/eval/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from evaluation.client import Outcome
from evaluation.metrics import FIGURES, TOPIC_FIGURES, is_counted, is_miss

SHORT_NAMES = {
    "answered": "answered",
    "topic_accuracy": "topic ok",
    "clarify": "clarify",
    "out_of_scope_accepted": "oos accepted",
    "crisis_recall": "crisis recall",
    "crisis_false_positives": "crisis FP",
    "misconduct_caught": "misconduct",
    "handoff_given": "handoff",
    "smalltalk_given": "smalltalk",
    "correct": "correct",
}


def _cell(figure: Dict[str, Optional[float]]) -> str:
    return "-" if figure["rate"] is None else f"{figure['rate']:.3f} ({figure['n']})"


def table(rows: Dict[str, Dict[str, dict]], columns: Sequence[str], first: str) -> str:
    """A Markdown table: one row per group, one column per figure, "rate (n)" in each cell."""
    header = [first] + [SHORT_NAMES[c] for c in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, figures in rows.items():
        lines.append("| " + " | ".join([name] + [_cell(figures[c]) for c in columns]) + " |")
    return "\n".join(lines)


def render(summary: Dict[str, dict]) -> str:
    all_figures = [f.name for f in FIGURES]
    parts = [
        "Overall and per role (rate, and in brackets the number of messages it is measured on):",
        table({"overall": summary["overall"], **summary["per_role"]}, all_figures, "role"),
        "Per topic:",
        table(summary["per_topic"], TOPIC_FIGURES, "topic"),
        "Follow-ups in dialogues:",
        table(
            {"follow-ups": summary["followups"]},
            ("answered", "topic_accuracy", "clarify", "correct"),
            "",
        ),
    ]
    if summary["not_yet_covered"]:
        lines = ["Not yet covered (topics the knowledge base lacks; not counted above):"]
        for topic, seen in summary["not_yet_covered"].items():
            replies = ", ".join(f"{label} {count}" for label, count in seen["replies"].items())
            lines.append(f"  {topic} ({seen['n']}): {replies}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def miss_entry(outcome: Outcome) -> Dict[str, object]:
    turn = outcome.turn
    return {
        "text": turn.text,
        "role": turn.role,
        "expected": {"kind": turn.kind, "topic": turn.topic} if turn.topic else {"kind": turn.kind},
        "got": {"kind": outcome.kind, "topic": outcome.topic}
        if outcome.topic
        else {"kind": outcome.kind},
        "where": f"{turn.conversation}, turn {turn.index + 1}",
    }


def write(
    out_dir: Path,
    summary: Dict[str, dict],
    outcomes: List[Outcome],
    covered_topics: Sequence[str],
    failures: List[str],
) -> Dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    misses = [miss_entry(o) for o in outcomes if is_counted(o, covered_topics) and is_miss(o)]
    apart = [miss_entry(o) for o in outcomes if not is_counted(o, covered_topics)]
    paths = {"misses": out_dir / "misses.yml", "summary": out_dir / "summary.json"}
    paths["misses"].write_text(
        yaml.safe_dump(
            {"misses": misses, "not_yet_covered": apart},
            sort_keys=False,
            allow_unicode=True,
            width=100,
        ),
        encoding="utf-8",
    )
    paths["summary"].write_text(
        json.dumps({**summary, "failed_thresholds": failures}, indent=2) + "\n"
    )
    return paths
