"""`python -m insights` on a store of synthetic conversations of known shape.

The store is written by Rasa's own SQLTrackerStore (tests/insights_report/fixture_store.py);
the report is made by the real command, in a subprocess, against it.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
import yaml

from operations.retention import forget_conversation
from project import settings
from tests.insights_report import fixture_store
from tests.insights_report.fixture_store import EXPECTED, PLANTED, PROJECT_ROOT

ENV_KEYS = (*settings.STORE_VARIABLES, "RETENTION_DAYS")


def endpoints_for(db: Path, folder: Path) -> Path:
    path = folder / "endpoints.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "rasa_extensions.tracker_store.ResilientSQLTrackerStore",
                    "dialect": "sqlite",
                    "db": str(db),
                }
            }
        )
    )
    return path


def run_insights(endpoints: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "insights",
            "--endpoints",
            str(endpoints),
            "--out",
            str(out),
            "--candidates",
            *extra,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def visible_text(path: Path) -> str:
    """The file without its embedded images (base64 can spell anything)."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", path.read_text())


def read_csv(path: Path) -> dict:
    with path.open(newline="") as file:
        return {(r["section"], r["key"], r["detail"]): r["value"] for r in csv.DictReader(file)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insights")
    db = folder / "tracker.db"
    writer = fixture_store.build(db)
    return folder, db, writer


@pytest.fixture(scope="module")
def report(store):
    folder, db, writer = store
    out = folder / "report"
    run_insights(endpoints_for(db, folder), out)
    return out, writer


def test_the_figures_match_the_store(report):
    out, _ = report
    figures = read_csv(out / "insights.csv")
    for (section, key), value in EXPECTED.items():
        assert figures[(section, key, "")] == str(value), (section, key)
    assert figures[("feedback", "friendship", "yes")] == "1"
    assert figures[("feedback", "gifts", "no")] == "1"
    assert figures[("feedback", "romance", "no")] == "1"  # the vote of the crisis note counts


def test_weekly_figures_by_role(report):
    out, writer = report
    figures = read_csv(out / "insights.csv")

    def week(days_ago: float) -> str:
        y, w, _ = datetime.fromtimestamp(
            writer.now - days_ago * 86400, tz=timezone.utc
        ).isocalendar()
        return f"{y}-W{w:02d}"

    conversations, messages = {}, {}
    # (days ago, role, messages) of every conversation in the period, as fixture_store builds them
    for days, role, count in [
        (3, "client", 3),
        (2, "therapist", 2),
        (2, "therapist", 3),
        (1, "client", 3),
        (5, "client", 1),
        (5, "client", 1),
        (2, "client", 1),
    ] + [(9 if n % 2 else 4, "client", 1) for n in range(6)]:
        conversations[(week(days), role)] = conversations.get((week(days), role), 0) + 1
        messages[(week(days), role)] = messages.get((week(days), role), 0) + count
    got_c = {(k, d): int(v) for (s, k, d), v in figures.items() if s == "conversations_per_week"}
    got_m = {(k, d): int(v) for (s, k, d), v in figures.items() if s == "messages_per_week"}
    assert got_c == conversations and got_m == messages


def test_latency_percentiles_come_from_the_stored_timestamps(report):
    out, writer = report
    figures = read_csv(out / "insights.csv")
    for share in (50, 90, 95, 99):
        expected = np.percentile(writer.latencies, share, method="inverted_cdf")
        assert float(figures[("latency_seconds", f"p{share}", "")]) == pytest.approx(
            expected, abs=1e-3
        )


def test_no_planted_identifier_reaches_any_output(report):
    out, _ = report
    for name in ("insights.html", "insights.csv", "candidates.yml"):
        text = visible_text(out / name)
        for planted in PLANTED:
            assert planted.lower() not in text.lower(), (name, planted)


def test_crisis_conversations_give_no_text(report):
    out, _ = report
    for name in ("insights.html", "insights.csv", "candidates.yml"):
        assert fixture_store.CRISIS_ONLY not in (out / name).read_text()


def test_the_large_theme_is_shown_and_the_small_one_hidden(report):
    out, _ = report
    html = (out / "insights.html").read_text()
    figures = read_csv(out / "insights.csv")
    assert figures[("themes", "theme_1", "conversations")] == "7"  # six parking + forgotten
    assert ("themes", "theme_2", "conversations") not in figures
    assert int(figures[("themes", "hidden_themes", "")]) >= 1
    assert "park" in html
    assert any(label in html for label in ("[email]", "[phone]", "[address]", "[name]"))
    assert "billing" not in html.lower() and "invoice" not in html.lower()
    assert "holds no transcripts" in html and "Period:" in html


def test_candidates_are_marked_for_review(report):
    out, _ = report
    candidates = yaml.safe_load((out / "candidates.yml").read_text())
    assert candidates["status"] == "needs_review"
    examples = [e for theme in candidates["themes"] for e in theme["examples"]]
    assert examples and all(e["review"] == "pending" for e in examples)
    assert any("park" in e["text"] for e in examples)
    assert any(fixture_store.FORGOTTEN_TEXT in e["text"] for e in examples)


def test_a_forgotten_conversation_is_gone_from_the_next_report(store, report):
    folder, db, _ = store
    engine = sa.create_engine(f"sqlite:///{db}")
    forget_conversation(engine, fixture_store.FORGOTTEN_SENDER)
    engine.dispose()
    out = folder / "after"
    run_insights(endpoints_for(db, folder), out)
    figures = read_csv(out / "insights.csv")
    assert figures[("totals", "conversations", "")] == "12"
    assert figures[("unanswered", "out_of_scope", "")] == "7"
    assert figures[("themes", "theme_1", "conversations")] == "6"
    for name in ("insights.html", "insights.csv", "candidates.yml"):
        assert fixture_store.FORGOTTEN_TEXT not in (out / name).read_text()


def test_the_period_is_selectable_and_stays_within_retention(store):
    folder, db, writer = store
    out = folder / "lastday"
    run_insights(endpoints_for(db, folder), out, "--days", "1.5")
    figures = read_csv(out / "insights.csv")
    assert figures[("totals", "conversations", "")] == "1"  # only the crisis conversation
    out = folder / "long"
    run_insights(endpoints_for(db, folder), out, "--days", "90")
    html = (out / "insights.html").read_text()
    assert "Limited to the retention period of 30 days" in html
    assert "ancient question" not in (out / "candidates.yml").read_text()
