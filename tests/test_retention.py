"""Retention on the SQLite tracker store: forget old conversations, forget one on request."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from operations import retention
from rasa_extensions.tracker_store import ResilientSQLTrackerStore

DAY = 24 * 60 * 60
DOMAIN = Domain.empty()
SECRET = "my therapist asked me out zq-secret-91"


@pytest.fixture(autouse=True)
def clean_environment(no_store_variables):
    """Each test names its own store, whatever this machine's environment says."""


async def store_conversation(store, sender: str, texts, at: float) -> None:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(SessionStarted(timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    for text in texts:
        tracker.update(UserUttered(text, timestamp=at))
    await store.save(tracker)


def senders(db_file) -> dict:
    with sqlite3.connect(db_file) as connection:
        rows = connection.execute("SELECT sender_id, count(*) FROM events GROUP BY sender_id")
        return dict(rows.fetchall())


@pytest.fixture
async def filled_store(tmp_path):
    db_file = tmp_path / "tracker.db"
    store = ResilientSQLTrackerStore(domain=DOMAIN, db=str(db_file))
    now = time.time()
    await store_conversation(store, "old", [SECRET, "second"], now - 40 * DAY)
    await store_conversation(store, "recent", ["hello"], now - 2 * DAY)
    await store_conversation(store, "today", ["hi"], now)
    store.engine.dispose()
    return db_file


async def test_forget_old_deletes_conversations_older_than_the_limit(filled_store):
    engine = sa.create_engine(f"sqlite:///{filled_store}")
    deleted = retention.forget_older_than(engine, days=30)
    assert deleted == retention.Deleted(events=4, conversations=1)
    assert set(senders(filled_store)) == {"recent", "today"}
    assert retention.forget_older_than(engine, days=1).conversations == 1
    assert set(senders(filled_store)) == {"today"}


async def test_forget_deletes_one_conversation_and_leaves_no_trace_in_the_file(filled_store):
    engine = sa.create_engine(f"sqlite:///{filled_store}")
    deleted = retention.forget_conversation(engine, "old")
    assert deleted == retention.Deleted(events=4, conversations=1)
    assert set(senders(filled_store)) == {"recent", "today"}
    engine.dispose()
    # Neither the database nor its write-ahead log keeps the text.
    files = list(filled_store.parent.glob("tracker.db*"))
    assert files and all(SECRET.encode() not in path.read_bytes() for path in files)
    assert retention.forget_conversation(engine, "nobody") == retention.Deleted(0, 0)


def test_an_empty_database_has_nothing_to_forget(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert retention.forget_older_than(engine, days=30) == retention.Deleted(0, 0)


def run_command(*args, env_db: str):
    env = {**os.environ, "TRACKER_DB_URL": f"sqlite:///{env_db}"}
    return subprocess.run(
        [sys.executable, "-m", "operations.retention", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=retention.settings.PROJECT_ROOT,
        timeout=60,
    )


async def test_the_commands_use_the_configured_store(filled_store):
    result = run_command("forget", "--sender", "recent", env_db=str(filled_store))
    assert result.returncode == 0, result.stderr
    assert "Deleted 3 event(s)" in result.stdout
    result = run_command("forget-old", "--days", "30", env_db=str(filled_store))
    assert result.returncode == 0, result.stderr
    assert "1 conversation(s) removed entirely" in result.stdout
    assert set(senders(filled_store)) == {"today"}


def test_the_command_reports_a_missing_database(tmp_path):
    result = run_command("forget-old", env_db=str(tmp_path / "none.db"))
    assert result.returncode == 0 and "No conversations are stored" in result.stdout
    assert not (tmp_path / "none.db").exists()


def hold_a_read_open(db_file) -> sqlite3.Connection:
    """Another connection in the middle of reading: the write-ahead log cannot be emptied."""
    reader = sqlite3.connect(db_file, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchall()
    return reader


@pytest.mark.parametrize("command", [["forget", "--sender", "old"], ["forget-old", "--days", "30"]])
async def test_a_failed_vacuum_fails_the_command_instead_of_saying_deleted(filled_store, command):
    reader = hold_a_read_open(filled_store)
    try:
        started = time.monotonic()
        result = run_command(*command, env_db=f"{filled_store}?timeout=0.2")
        elapsed = time.monotonic() - started
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert result.returncode == 1, result.stdout
    assert "Deleted" not in result.stdout
    assert "could not be vacuumed after 3 attempts" in result.stderr
    assert "another connection is reading it" in result.stderr
    assert elapsed >= retention.VACUUM_RETRY_SECONDS * 3  # it retried, 1 s then 2 s

    # Once the reader is gone, running the command again finishes the job.
    again = run_command(*command, env_db=str(filled_store))
    assert again.returncode == 0 and "Deleted 0 event(s)" in again.stdout, again.stderr
    files = list(filled_store.parent.glob("tracker.db*"))
    assert files and all(SECRET.encode() not in path.read_bytes() for path in files)


@pytest.mark.parametrize(
    "hostile",
    ["x'; touch {marker}; '", "$(shell touch {marker})", "a$$(touch {marker})", "`touch {marker}`"],
)
async def test_make_forget_runs_no_command_hidden_in_the_id(filled_store, tmp_path, hostile):
    marker = tmp_path / "pwned"
    sender = hostile.format(marker=marker)
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", "forget", f"SENDER={sender}"],
        env={**os.environ, "TRACKER_DB_URL": f"sqlite:///{filled_store}"},
        cwd=retention.settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert not marker.exists()
    assert result.returncode != 0
    assert "Refused: the conversation id may contain letters, digits" in result.stderr
    assert set(senders(filled_store)) == {"old", "recent", "today"}


async def test_make_forget_erases_a_valid_id(filled_store):
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", "forget", "SENDER=recent"],
        env={**os.environ, "TRACKER_DB_URL": f"sqlite:///{filled_store}"},
        cwd=retention.settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Deleted 3 event(s)" in result.stdout
    assert set(senders(filled_store)) == {"old", "today"}


def test_the_forget_command_refuses_an_id_outside_the_rule(filled_store):
    result = run_command("forget", "--sender", "a b", env_db=str(filled_store))
    assert result.returncode == 2
    assert "Refused: the conversation id may contain letters, digits" in result.stderr
    assert "Nothing was deleted" in result.stderr
