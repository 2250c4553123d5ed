"""The conversation store: kept across restarts, loud and retrying when the database fails."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
import stat
import threading
import time
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event as sa_event

from rasa_extensions.tracker_store import ResilientSQLTrackerStore, describe_error

CANARY = "canary-7d1e blue heron in the attic"
DOMAIN = Domain.from_dict(
    {
        "intents": ["ask_friendship"],
        "slots": {"topic": {"type": "text", "mappings": [{"type": "custom"}]}},
    }
)


@pytest.fixture(autouse=True)
def clean_environment(no_store_variables):
    """Each test names its own store, whatever this machine's environment says."""


@pytest.fixture
def db_file(tmp_path):
    return str(tmp_path / "var" / "tracker.db")


@pytest.fixture
def store_logs(caplog):
    caplog.set_level(logging.INFO, logger="rasa_extensions.tracker_store")
    return caplog


def errors(caplog) -> List[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def make_store(db_file: str, timeout: float = 0.2) -> ResilientSQLTrackerStore:
    # A short SQLite busy timeout makes a locked database fail fast.
    return ResilientSQLTrackerStore(domain=DOMAIN, db=db_file, query={"timeout": str(timeout)})


async def save_turn(store, sender: str, text: str) -> DialogueStateTracker:
    """One turn: load the conversation (or start it), add a message and a reply, save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": "ask_friendship", "confidence": 1.0}))
    tracker.update(SlotSet("topic", "friendship"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return tracker


def user_texts(tracker) -> List[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def stored_user_texts(db_file: str, sender: str) -> List[str]:
    import json

    with sqlite3.connect(db_file) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (sender,),
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_is_a_plain_subclass_of_rasas_sql_store():
    assert issubclass(ResilientSQLTrackerStore, SQLTrackerStore)


async def test_conversations_survive_a_restart(db_file):
    await save_turn(make_store(db_file), "alice", "can i be friends with my therapist")
    restarted = make_store(db_file)
    tracker = await restarted.retrieve("alice")
    assert user_texts(tracker) == ["can i be friends with my therapist"]
    assert tracker.get_slot("topic") == "friendship"


async def test_the_sqlite_file_is_private(db_file):
    make_store(db_file)
    assert stat.S_IMODE(os.stat(db_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(db_file)).st_mode) == 0o700


async def test_a_failing_save_is_logged_every_time_and_retried(db_file, store_logs):
    store = make_store(db_file)
    await save_turn(store, "bob", "first")
    blocker = sqlite3.connect(db_file)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        await save_turn(store, "bob", f"second {CANARY}")
        await save_turn(store, "bob", "third")
    finally:
        blocker.rollback()
        blocker.close()

    failures = [m for m in errors(store_logs) if "could not save" in m]
    assert len(failures) == 2, errors(store_logs)
    assert all("tracker.db" in m and "database is locked" in m for m in failures)
    assert stored_user_texts(db_file, "bob") == ["first"]

    # The conversation went on from memory, and the next save writes the backlog once.
    tracker = await save_turn(store, "bob", "fourth")
    assert user_texts(tracker) == ["first", f"second {CANARY}", "third", "fourth"]
    assert stored_user_texts(db_file, "bob") == ["first", f"second {CANARY}", "third", "fourth"]
    assert any("accepts saves again" in r.getMessage() for r in store_logs.records)
    assert CANARY not in store_logs.text


async def test_when_the_database_is_back_every_kept_conversation_is_written(db_file, store_logs):
    store = make_store(db_file)
    blocker = sqlite3.connect(db_file)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        await save_turn(store, "frank", "kept in memory")
        await save_turn(store, "grace", "also kept")
    finally:
        blocker.rollback()
        blocker.close()
    await save_turn(store, "heidi", "the database is back")
    assert stored_user_texts(db_file, "frank") == ["kept in memory"]
    assert stored_user_texts(db_file, "grace") == ["also kept"]
    assert any(
        "2 conversation(s) kept in memory were written, 0 still wait" in r.getMessage()
        for r in store_logs.records
    )
    # Written once: the next turn adds only its own events.
    await save_turn(store, "frank", "next")
    assert stored_user_texts(db_file, "frank") == ["kept in memory", "next"]


async def test_a_failed_load_starts_a_new_session_that_is_saved_whole(db_file, store_logs):
    store = make_store(db_file)
    await save_turn(store, "carol", "before")
    # Readers are never locked out of a write-ahead-logged database: move its table away.
    with sqlite3.connect(db_file) as connection:
        connection.execute("ALTER TABLE events RENAME TO events_away")
    try:
        assert await store.retrieve("carol") is None
    finally:
        with sqlite3.connect(db_file) as connection:
            connection.execute("ALTER TABLE events_away RENAME TO events")
    assert any("could not load" in m for m in errors(store_logs))

    fresh = DialogueStateTracker("carol", DOMAIN.slots)
    fresh.update(SessionStarted())
    fresh.update(ActionExecuted("action_listen"))
    fresh.update(UserUttered("after"))
    await store.save(fresh)
    assert stored_user_texts(db_file, "carol") == ["before", "after"]
    assert user_texts(await store.retrieve("carol")) == ["after"]


async def test_an_unreachable_postgresql_does_not_stop_the_server(store_logs):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = ResilientSQLTrackerStore(
        domain=DOMAIN,
        dialect="postgresql",
        host="127.0.0.1",
        port=port,
        db="rasa",
        username="rasa",
        password="hunter2",
    )
    assert any("not usable at start-up" in m for m in errors(store_logs))
    tracker = await save_turn(store, "dave", CANARY)
    await save_turn(store, "dave", "and again")
    failures = [m for m in errors(store_logs) if "could not save" in m]
    assert len(failures) == 2
    assert all(f"127.0.0.1:{port}/rasa" in m for m in failures)
    assert "hunter2" not in store_logs.text and CANARY not in store_logs.text
    assert user_texts(await store.retrieve("dave")) == user_texts(tracker) + ["and again"]
    assert await store.keys() == ["dave"]


def test_a_postgresql_that_never_answers_costs_seconds(store_logs):
    """A server that accepts connections and never answers (a hung host, a
    black-holed address): without a connect timeout libpq waits for ever."""
    import asyncio
    import threading
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the handshake; nobody ever replies
        port = silent.getsockname()[1]
        outcome = {}

        def start_and_save():
            started = time.monotonic()
            store = ResilientSQLTrackerStore(
                domain=DOMAIN,
                dialect="postgresql",
                host="127.0.0.1",
                port=port,
                db="rasa",
                username="rasa",
                connect_timeout=2,
            )
            outcome["start"] = time.monotonic() - started
            started = time.monotonic()
            asyncio.run(save_turn(store, "erin", "hello?"))
            outcome["turn"] = time.monotonic() - started

        worker = threading.Thread(target=start_and_save, daemon=True)
        worker.start()
        worker.join(30)
    assert not worker.is_alive(), "the store waited for a silent database"
    # Start-up tries the database three times (Rasa's tables, the index, the check).
    assert outcome["start"] < 3 * 2 + 3
    # A message's load and save: one timeout each.
    assert outcome["turn"] < 2 * 2 + 2
    assert any("could not save" in m and "timeout" in m for m in errors(store_logs))


async def test_a_mixin_can_be_put_in_front(db_file):
    class CountingMixin:
        loads = 0

        async def retrieve(self, sender_id):
            type(self).loads += 1
            return await super().retrieve(sender_id)

    class Store(CountingMixin, ResilientSQLTrackerStore):
        pass

    store = Store(domain=DOMAIN, db=db_file)
    await save_turn(store, "erin", "hello")
    assert user_texts(await store.retrieve("erin")) == ["hello"]
    assert Store.loads == 2


def test_database_errors_are_described_without_their_parameters():
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x TEXT NOT NULL UNIQUE)")
        connection.execute(sa.text("INSERT INTO t VALUES (:x)"), {"x": CANARY})
        with pytest.raises(sa.exc.IntegrityError) as raised:
            connection.execute(sa.text("INSERT INTO t VALUES (:x)"), {"x": CANARY})
    assert CANARY in str(raised.value)
    described = describe_error(raised.value)
    assert CANARY not in described and described.startswith("IntegrityError: UNIQUE")


def test_a_server_keeping_conversations_in_memory_is_reported(store_logs, db_file):
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore

    from rasa_extensions.tracker_store import report_store_in_use

    assert not report_store_in_use(FailSafeTrackerStore(InMemoryTrackerStore(DOMAIN)))
    assert any("NOT being stored" in m and "InMemoryTrackerStore" in m for m in errors(store_logs))
    assert report_store_in_use(FailSafeTrackerStore(make_store(db_file)))


async def test_an_sqlite_file_is_written_through_a_write_ahead_log(db_file):
    store = make_store(db_file)
    await save_turn(store, "ivan", "hello")
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # The log holds what people wrote, so it is as private as the database.
    assert stat.S_IMODE(os.stat(f"{db_file}-wal").st_mode) == 0o600
    # One connection serves message after message.
    connections = []
    sa_event.listen(store.engine, "connect", lambda *args: connections.append(args))
    for turn in range(3):
        await save_turn(store, "ivan", f"turn {turn}")
    assert len(connections) == 0


async def test_a_save_whose_start_is_unknown_is_kept_and_retried_not_misaligned(
    db_file, store_logs
):
    """The database lost this replica's copy's events (replaced meanwhile):
    the save is refused, logged, kept in memory and retried on the next save,
    and never written as a guessed slice."""
    store = make_store(db_file)
    for text in ("one", "two", "three"):
        await save_turn(store, "frank", text)
    copy = await store.retrieve("frank")
    copy = store.deserialise_tracker("frank", store.serialise_tracker(copy))
    with sqlite3.connect(db_file) as connection:
        connection.execute("DELETE FROM events")
    replacement = make_store(db_file)
    await save_turn(replacement, "frank", "elsewhere")

    copy.update(UserUttered("kept"))
    await store.save(copy)
    copy.update(UserUttered("kept again"))
    await store.save(copy)

    refusals = [m for m in errors(store_logs) if "could not save" in m and "UnknownSaveStart" in m]
    assert len(refusals) == 2
    assert stored_user_texts(db_file, "frank") == ["elsewhere"]
    assert user_texts(await store.retrieve("frank"))[-2:] == ["kept", "kept again"]


async def test_saves_run_in_one_writer_thread_while_the_server_goes_on(db_file, monkeypatch):
    store = make_store(db_file)
    assert store.write_in_thread
    threads, ticks = [], []
    write = store._write_new_events

    def slow_write(tracker):
        threads.append(threading.current_thread())
        time.sleep(0.2)  # a commit waiting for the disk
        write(tracker)

    monkeypatch.setattr(store, "_write_new_events", slow_write)

    async def other_conversations():
        while True:
            ticks.append(1)
            await asyncio.sleep(0.01)

    others = asyncio.ensure_future(other_conversations())
    await save_turn(store, "grace", "one")
    await save_turn(store, "grace", "two")
    others.cancel()

    assert len(set(threads)) == 1 and threads[0] is not threading.main_thread()
    assert len(ticks) > 10  # the event loop was not blocked by the writes
    assert stored_user_texts(db_file, "grace") == ["one", "two"]


async def test_a_cancelled_save_ends_before_the_caller_gives_up(db_file, monkeypatch):
    """Cancelled (a request timeout), the save still finishes first: the
    conversation's next message, free to start then, finds it."""
    store = make_store(db_file)
    await save_turn(store, "heidi", "one")
    tracker = await store.retrieve("heidi")
    tracker.update(UserUttered("two"))
    write = store._write_new_events
    monkeypatch.setattr(store, "_write_new_events", lambda t: (time.sleep(0.3), write(t)))

    saving = asyncio.ensure_future(store.save(tracker))
    await asyncio.sleep(0.05)
    saving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await saving
    assert stored_user_texts(db_file, "heidi") == ["one", "two"]


def test_a_store_on_an_unknown_engine_writes_in_the_event_loop(tmp_path):
    # An in-memory SQLite database is one connection per thread: a writer
    # thread would write into another, empty database.
    store = ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=":memory:")
    assert not store.write_in_thread
