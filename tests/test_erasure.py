"""Erased conversations stay erased on the real SQLite store: a save racing
`forget`, or retried after an outage, brings nothing from before the erasure back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from operations import retention
from rasa_extensions import erasure
from rasa_extensions.tracker_store import ResilientSQLTrackerStore

DOMAIN = Domain.empty()
SECRET = "erase-me 5c1f my therapist texts me at night"
SENDER = "6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b"


@pytest.fixture(autouse=True)
def clean_environment(no_store_variables):
    """Each test names its own store, whatever this machine's environment says."""


@pytest.fixture
def db_file(tmp_path):
    return str(tmp_path / "tracker.db")


def make_store(db_file: str) -> ResilientSQLTrackerStore:
    return ResilientSQLTrackerStore(domain=DOMAIN, db=db_file, query={"timeout": "0.2"})


def stored_texts(db_file: str, sender: str = SENDER) -> List[str]:
    with sqlite3.connect(db_file) as connection:
        rows = connection.execute(
            "SELECT data FROM events "
            "WHERE sender_id = ? AND type_name IN ('user', 'bot') ORDER BY id",
            (sender,),
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


async def start_conversation(store, text: str = SECRET) -> None:
    tracker = DialogueStateTracker(SENDER, DOMAIN.slots)
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text))
    tracker.update(BotUttered("an answer"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def forget(db_file: str) -> retention.Deleted:
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        return retention.forget_conversation(engine, SENDER)
    finally:
        engine.dispose()


def reply_to(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text))
    tracker.update(BotUttered(f"reply to {text}"))
    tracker.update(ActionExecuted("action_listen"))


async def test_a_save_of_a_conversation_loaded_before_forget_writes_nothing_old(db_file):
    store = make_store(db_file)
    await start_conversation(store)
    loaded = await store.retrieve(SENDER)  # the server is working on a reply ...
    assert forget(db_file).events == 5  # ... when the operator erases the conversation
    reply_to(loaded, "a message sent after the erasure")
    await store.save(loaded)

    assert stored_texts(db_file) == [
        "a message sent after the erasure",
        "reply to a message sent after the erasure",
    ]
    # The conversation goes on without anything from before the erasure.
    tracker = await make_store(db_file).retrieve(SENDER)
    assert SECRET not in [getattr(e, "text", None) for e in tracker.events]


async def test_a_save_retried_after_an_outage_writes_nothing_old(db_file):
    store = make_store(db_file)
    await start_conversation(store, "stored before the outage")
    tracker = await store.retrieve(SENDER)
    reply_to(tracker, SECRET)
    blocker = sqlite3.connect(db_file)
    blocker.execute("BEGIN IMMEDIATE")  # the database refuses writes: the store keeps it in memory
    try:
        await store.save(tracker)
    finally:
        blocker.rollback()
        blocker.close()
    assert SECRET not in stored_texts(db_file)

    forget(db_file)
    # The next save (of any conversation) writes what was kept in memory.
    await start_conversation(make_store(db_file), "started again after the erasure")
    other = DialogueStateTracker("someone-else", DOMAIN.slots)
    other.update(UserUttered("hello"))
    await store.save(other)

    assert stored_texts(db_file) == ["started again after the erasure", "an answer"]
    assert store._unsaved == {}


async def test_an_erasure_committed_between_the_check_and_the_insert_is_honoured(
    db_file, monkeypatch
):
    """The narrowest race: `forget` commits after the save found no marker,
    before its insert. The save removes what it wrote in its own transaction."""
    store = make_store(db_file)
    await start_conversation(store)
    loaded = await store.retrieve(SENDER)
    reply_to(loaded, "later")
    real_erased_at = erasure.erased_at
    calls = []

    def erased_at_then_forget(connection, sender_id):
        answer = real_erased_at(connection, sender_id)
        if not calls:
            forget(db_file)  # another process erases right now
        calls.append(answer)
        return answer

    monkeypatch.setattr(erasure, "erased_at", erased_at_then_forget)
    await store.save(loaded)
    monkeypatch.undo()

    assert calls[0] is None and calls[1] is not None
    assert stored_texts(db_file) == []
    assert (
        retention.forget_older_than(sa.create_engine(f"sqlite:///{db_file}"), days=10_000).events
        == 0
    )
    files = list(Path(db_file).parent.glob("tracker.db*"))
    assert files and all(SECRET.encode() not in path.read_bytes() for path in files)


async def test_a_conversation_started_after_an_erasure_is_saved_whole(db_file):
    store = make_store(db_file)
    await start_conversation(store, "before")
    forget(db_file)
    time.sleep(0.01)
    await start_conversation(store, "after")
    assert stored_texts(db_file) == ["after", "an answer"]


async def test_the_marker_keeps_a_hash_of_the_id_not_the_id(db_file):
    await start_conversation(make_store(db_file))
    started = time.time()
    forget(db_file)
    with sqlite3.connect(db_file) as connection:
        rows = connection.execute(
            "SELECT sender_hash, erased_at FROM conversation_erasures"
        ).fetchall()
    assert rows == [(hashlib.sha256(SENDER.encode()).hexdigest(), pytest.approx(started, abs=5))]
    assert SENDER.encode() not in open(db_file, "rb").read()


async def test_forget_refuses_ids_outside_the_rule(db_file):
    engine = sa.create_engine(f"sqlite:///{db_file}")
    with pytest.raises(ValueError, match="letters, digits"):
        retention.forget_conversation(engine, "x'; touch /tmp/pwned; '")
