"""When the tracker store cannot be written, the servers say so loudly and keep answering.

With a read-only SQLite file every save fails; with a PostgreSQL that is down
at start-up and comes up later, the conversation kept in memory meanwhile is
written as soon as the database is back.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa

from tests.integration import services
from tests.integration.conftest import FRIENDSHIP_QUESTION, answer_topic, start, wait_for_log

SAVE_FAILED = r"ERROR .*Tracker store {store}\S* could not save a conversation"


def create_store(url: str) -> None:
    """Creates the tracker tables, as a first run of the servers would."""
    from rasa.shared.core.domain import Domain

    from rasa_extensions.tracker_store import ResilientSQLTrackerStore

    store = ResilientSQLTrackerStore(domain=Domain.empty(), host=url)
    store.engine.dispose()


def user_messages(url: str, sender: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT data FROM events "
                    "WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
                ),
                {"s": sender},
            ).fetchall()
    finally:
        engine.dispose()
    return [json.loads(data)["text"] for (data,) in rows]


@pytest.mark.servers
def test_a_read_only_store_is_reported_on_every_save_and_replies_still_come(tmp_path):
    db_file = tmp_path / "tracker.db"
    create_store(f"sqlite:///{db_file}")
    read_only = f"sqlite:///file:{db_file}?mode=ro&uri=true"
    assistant = start(read_only, tmp_path / "logs")
    try:
        sender = f"readonly-{uuid.uuid4().hex}"
        assert answer_topic(assistant.send(sender, FRIENDSHIP_QUESTION)) == "friendship"
        # Context is kept in memory meanwhile: the follow-up keeps the topic.
        assert answer_topic(assistant.send(sender, "why not?")) == "friendship"
        failed = re.compile(SAVE_FAILED.format(store=re.escape(f"sqlite:///file:{db_file}")))
        assert wait_for_log(assistant, failed.pattern)
        failures = failed.findall(assistant.logs())
        assert len(failures) >= 2, assistant.logs()[-3000:]
        assert "readonly database" in assistant.logs()
        assert "Falling back to use the 'InMemoryTrackerStore'" not in assistant.logs()
    finally:
        assistant.stop()
    assert user_messages(f"sqlite:///{db_file}", sender) == []


@pytest.mark.replicas
def test_a_database_that_comes_back_gets_the_whole_conversation(tmp_path, redis_server):
    if services.postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed; " + services.INSTALL_HINT)
    port = services.free_port()  # nothing listens here yet
    url = f"postgresql://rasa@127.0.0.1:{port}/rasa"
    # A server on PostgreSQL starts only with a shared lock store.
    assistant = start(url, tmp_path / "logs", lock_store=redis_server.lock_store())
    try:
        assert wait_for_log(assistant, r"ERROR .*not usable at start-up")
        sender = f"comeback-{uuid.uuid4().hex}"
        assert answer_topic(assistant.send(sender, FRIENDSHIP_QUESTION)) == "friendship"
        assert wait_for_log(
            assistant,
            SAVE_FAILED.format(store=re.escape(f"postgresql://rasa@127.0.0.1:{port}/rasa")),
        )

        with services.postgres(port=port) as database:
            database.create_database("rasa")
            assert answer_topic(assistant.send(sender, "why not?")) == "friendship"
            assert wait_for_log(assistant, r"accepts saves again")
            assert user_messages(url, sender) == [FRIENDSHIP_QUESTION, "why not?"]
    finally:
        assistant.stop()
