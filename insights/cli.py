"""python -m insights: the insights report for a period (default the last 30 days).

    python -m insights [--days 30 | --from 2026-01-01 [--to 2026-01-31]]
                       [--out results/insights] [--candidates]

Reads the tracker store the servers use (endpoints.yml, TRACKER_DB_URL, DB_*;
project.settings) and writes insights.html and insights.csv into --out, and with
--candidates also candidates.yml. The period never reaches back further than the
retention period (RETENTION_DAYS), so the report holds nothing that should have
been deleted, even before `make forget-old` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from insights import candidates, render
from insights.events import Period, read_conversations
from insights.figures import Figures, compute
from insights.redaction import redact
from insights.themes import Themes, find_themes
from project import settings

DAY = 24 * 60 * 60
DEFAULT_OUT = settings.PROJECT_ROOT / "results" / "insights"
HTML_NAME, CSV_NAME, CANDIDATES_NAME = "insights.html", "insights.csv", "candidates.yml"


def parse_day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def choose_period(
    days: float,
    start: Optional[datetime],
    end: Optional[datetime],
    now: float,
    retention_days: float,
) -> Tuple[Period, str]:
    """The period asked for, cut to the retention period; and a note when it was cut."""
    stop = (end + timedelta(days=1)).timestamp() if end else now
    begin = start.timestamp() if start else stop - days * DAY
    oldest = now - retention_days * DAY
    note = ""
    if begin < oldest:
        begin = oldest
        note = f"Limited to the retention period of {retention_days:g} days."
    return Period(begin, max(begin, min(stop, now))), note


def redacted_notes(figures: Figures) -> Dict[str, List[str]]:
    return {topic: [redact(note) for note in notes] for topic, notes in figures.notes.items()}


def build(engine: sa.engine.Engine, period: Period) -> Tuple[Figures, Themes, Dict[str, List[str]]]:
    figures = compute(read_conversations(engine, period), period)
    for item in figures.unanswered:
        item.text = redact(item.text)  # before grouping, so identifiers never shape a theme
    return figures, find_themes(figures.unanswered), redacted_notes(figures)


def write_private(path: Path, text: str) -> None:
    """Written readable by its owner only, like the tracker database."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.chmod(path, 0o600)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m insights", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--days", type=float, default=30.0, help="the last N days (default 30)")
    parser.add_argument("--from", dest="start", type=parse_day, help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--to", dest="end", type=parse_day, help="last day, YYYY-MM-DD (UTC)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--endpoints", type=Path, default=settings.ENDPOINTS_FILE)
    parser.add_argument(
        "--candidates",
        action="store_true",
        help="also write candidates.yml: training candidates to review",
    )
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    now = time.time()
    period, note = choose_period(args.days, args.start, args.end, now, settings.retention_days())
    url = settings.store_url_from_endpoints(args.endpoints)
    engine = sa.create_engine(url)
    try:
        figures, themes, notes = build(engine, period)
    except sa.exc.DBAPIError as error:
        print(
            f"Could not read the tracker database {settings.describe_url(url)}: "
            f"{type(error.orig or error).__name__}",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    args.out.mkdir(parents=True, exist_ok=True)
    os.chmod(args.out, 0o700)
    write_private(args.out / HTML_NAME, render.to_html(figures, themes, notes, now, note))
    write_private(args.out / CSV_NAME, render.to_csv(figures, themes))
    written = [HTML_NAME, CSV_NAME]
    if args.candidates:
        write_private(args.out / CANDIDATES_NAME, candidates.to_yaml(themes, period.describe()))
        written.append(CANDIDATES_NAME)
    print(
        f"Insights for {period.describe()}: {figures.conversations} conversation(s). "
        f"{note} Wrote {', '.join(str(args.out / name) for name in written)}."
    )
    return 0
