"""The tracker store and the retention commands on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_extensions.tracker_store import ResilientSQLTrackerStore
from tests.integration.conftest import PROJECT_ROOT, STORE_VARIABLES

pytestmark = pytest.mark.replicas

DAY = 24 * 60 * 60


@pytest.fixture
def store_url(postgres_server, monkeypatch):
    for name in STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return postgres_server.create_database(f"retention_{int(time.time() * 1000)}")


async def save_conversation(store, sender, texts, at):
    tracker = DialogueStateTracker(sender, [])
    tracker.update(SessionStarted(timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    for text in texts:
        tracker.update(UserUttered(text, timestamp=at))
    await store.save(tracker)


def senders(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).fetchall()
    engine.dispose()
    return {sender for (sender,) in rows}


def retention(url, *args):
    env = {**os.environ, **{name: "" for name in STORE_VARIABLES}, "TRACKER_DB_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "operations.retention", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


async def test_conversations_are_stored_and_read_back(store_url):
    store = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url)
    await save_conversation(store, "pg-alice", ["hello", "can we be friends?"], time.time())
    again = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url)
    tracker = await again.retrieve("pg-alice")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "hello",
        "can we be friends?",
    ]


async def test_retention_commands_on_postgresql(store_url):
    store = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url)
    now = time.time()
    await save_conversation(store, "old", ["long ago"], now - 45 * DAY)
    await save_conversation(store, "recent", ["last week"], now - 7 * DAY)
    await save_conversation(store, "asked-to-forget", ["today"], now)
    store.engine.dispose()

    result = retention(store_url, "forget-old", "--days", "30")
    assert result.returncode == 0, result.stderr
    assert "1 conversation(s) removed entirely" in result.stdout
    assert senders(store_url) == {"recent", "asked-to-forget"}

    result = retention(store_url, "forget", "--sender", "asked-to-forget")
    assert result.returncode == 0, result.stderr
    assert senders(store_url) == {"recent"}


def test_retention_reports_an_unreachable_database():
    from tests.integration.services import free_port

    result = retention(f"postgresql://rasa@127.0.0.1:{free_port()}/rasa", "forget-old")
    assert result.returncode == 1
    assert "Could not reach the tracker database" in result.stderr


async def test_a_long_session_loads_its_recent_turns_and_state(store_url):
    """The bounded loading's queries (the session's tail, the grouped state
    before it, the index) on PostgreSQL: the same tracker as a whole listing."""
    from rasa.shared.core.events import BotUttered, SlotSet

    domain = Domain.from_yaml(
        'version: "3.1"\nslots:\n'
        "  topic: {type: text, influence_conversation: false, mappings: [{type: custom}]}\n"
        "  role: {type: text, influence_conversation: false, mappings: [{type: custom}]}\n"
    )
    tracker = DialogueStateTracker("pg-long", domain.slots)
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    tracker.update(SlotSet("role", "client"))
    for turn in range(40):
        tracker.update(UserUttered(f"question {turn}"))
        tracker.update(ActionExecuted("action_answer_topic"))
        tracker.update(BotUttered(f"answer {turn}"))
        tracker.update(SlotSet("topic", f"topic {turn}"))
        tracker.update(ActionExecuted("action_listen"))
    writer = ResilientSQLTrackerStore(domain=domain, host=store_url)
    await writer.save(tracker)

    from_tail = ResilientSQLTrackerStore(
        domain=domain, host=store_url, history_turns=3, listing_rows=30
    )
    listed_whole = ResilientSQLTrackerStore(
        domain=domain, host=store_url, history_turns=3, listing_rows=10_000
    )
    loaded, expected = await from_tail.retrieve("pg-long"), await listed_whole.retrieve("pg-long")

    assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in expected.events]
    assert [e.text for e in loaded.events if isinstance(e, UserUttered)] == [
        f"question {n}" for n in (37, 38, 39)
    ]
    assert loaded.get_slot("role") == "client" and loaded.get_slot("topic") == "topic 39"
    engine = sa.create_engine(store_url)
    assert "ix_events_sender_id_type_name" in {
        i["name"] for i in sa.inspect(engine).get_indexes("events")
    }
    engine.dispose()


def user_texts_stored(url, sender):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
            ),
            {"s": sender},
        ).fetchall()
    engine.dispose()
    return [json.loads(data)["text"] for (data,) in rows]


async def test_a_save_of_a_conversation_loaded_before_forget_writes_nothing_old(store_url):
    store = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url)
    await save_conversation(store, "pg-erased", ["erase this"], time.time())
    loaded = await store.retrieve("pg-erased")  # a reply is being worked out ...
    result = retention(store_url, "forget", "--sender", "pg-erased")  # ... when it is erased
    assert result.returncode == 0, result.stderr
    loaded.update(UserUttered("sent after the erasure"))
    await store.save(loaded)
    assert user_texts_stored(store_url, "pg-erased") == ["sent after the erasure"]


async def test_forget_waits_for_a_save_in_flight_and_then_deletes_its_rows(store_url):
    """A save that inserted before `forget` started, and commits after `forget`
    deleted: without forget's table lock its rows would survive."""
    from rasa_extensions import erasure
    from rasa_extensions.bounded_history import event_row

    store = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url)
    await save_conversation(store, "pg-racing", ["first"], time.time())
    table = store.SQLEvent.__table__
    saving = store.engine.connect()
    transaction = saving.begin()
    erasure.insert_events(
        saving, table, "pg-racing", [event_row("pg-racing", UserUttered("in flight"))]
    )

    env = {**os.environ, **{name: "" for name in STORE_VARIABLES}, "TRACKER_DB_URL": store_url}
    forgetting = subprocess.Popen(
        [sys.executable, "-m", "operations.retention", "forget", "--sender", "pg-racing"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    try:
        time.sleep(3)
        assert forgetting.poll() is None, "forget did not wait for the save in flight"
        transaction.commit()
        out, err = forgetting.communicate(timeout=60)
    finally:
        saving.close()
        if forgetting.poll() is None:
            forgetting.kill()
    assert forgetting.returncode == 0, err
    assert user_texts_stored(store_url, "pg-racing") == []


def test_connections_carry_the_statement_timeout(store_url, monkeypatch):
    """PostgreSQL cancels a statement that runs longer than the configured limit."""
    for name in ("DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    default = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url)
    with default.engine.connect() as connection:
        assert connection.execute(sa.text("SHOW statement_timeout")).scalar() == "10s"
    default.engine.dispose()

    store = ResilientSQLTrackerStore(domain=Domain.empty(), host=store_url, statement_timeout=1)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SHOW statement_timeout")).scalar() == "1s"
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            connection.execute(sa.text("SELECT pg_sleep(30)"))
        assert time.monotonic() - started < 5
    store.engine.dispose()

    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "3")
    from_environment = ResilientSQLTrackerStore(
        domain=Domain.empty(), host=store_url, statement_timeout=1
    )
    with from_environment.engine.connect() as connection:
        assert connection.execute(sa.text("SHOW statement_timeout")).scalar() == "3s"
    from_environment.engine.dispose()
