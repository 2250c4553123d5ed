"""Two Rasa replicas share a PostgreSQL tracker store and a Redis lock store.

One conversation's messages go to both replicas, in turn and at the same
time; the context is kept and every message is stored exactly once, in order.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Tuple

import pytest
import redis
import sqlalchemy as sa

from operations import processes
from tests.integration import services
from tests.integration.conftest import (
    FRIENDSHIP_QUESTION,
    answer_topic,
    customs,
    model_path,
    start,
    start_replica,
    store_environment,
)

pytestmark = pytest.mark.replicas

CONCURRENT = ["what if we both want it?", "how long should we wait?", "why not?", "thanks"]
ROUNDS = 3
# TICKET_LOCK_LIFETIME of the replicas: how long a dead replica's lock holds a
# conversation (60 s by default; shorter here to keep the test short).
LOCK_LIFETIME = 20
# Seconds the action server stays frozen for a slow turn: longer than the lock
# lifetime, so the turn holds the conversation only as long as its ticket is renewed.
SLOW_ACTIONS = LOCK_LIFETIME + 5


@pytest.fixture(scope="module")
def replicas(postgres_server, redis_server, tmp_path_factory):
    """Replica one with the action server, replica two using the same action server."""
    store_url = postgres_server.create_database("tracker_replicas")
    log_dir = tmp_path_factory.mktemp("replica-logs")
    lifetime = {"TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME)}
    first = start(store_url, log_dir, env=lifetime, lock_store=redis_server.lock_store())
    try:
        second_url = start_replica(first, log_dir, store_environment(store_url, lifetime))
        yield first, [first.url, second_url], store_url
    finally:
        first.stop()


@contextlib.contextmanager
def frozen_actions(assistant) -> Iterator[None]:
    """Freezes the action server (SIGSTOP): a turn that calls it holds the
    conversation's lock until it is thawed."""
    group = assistant.running.actions.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def wait_for_lock(redis_server, sender: str, timeout: float = 60) -> None:
    """Until a replica holds (or waits for) the conversation's lock."""
    client = redis.Redis(host=redis_server.host, port=redis_server.port, db=1)
    deadline = time.monotonic() + timeout
    while not client.exists(f"lock:{sender}"):
        assert time.monotonic() < deadline, "no replica took the conversation's lock"
        time.sleep(0.05)


def user_texts(store_url: str, sender: str) -> List[str]:
    return [
        data["text"] for type_name, data in stored_events(store_url, sender) if type_name == "user"
    ]


def stored_events(store_url: str, sender: str) -> List[Tuple[str, dict]]:
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).fetchall()
    finally:
        engine.dispose()
    return [(type_name, json.loads(data)) for type_name, data in rows]


def test_one_conversation_across_two_replicas(replicas):
    assistant, urls, store_url = replicas
    sender = f"replicas-{uuid.uuid4().hex}"
    sequence = [FRIENDSHIP_QUESTION, "why not?", "how long should we wait?"]

    # In turn: each message to the other replica; follow-ups keep the topic.
    for index, message in enumerate(sequence):
        reply = assistant.send(sender, message, url=urls[index % 2])
        assert answer_topic(reply) == "friendship", (message, reply)

    # At the same time, to both replicas: the Redis lock serialises them.
    for _ in range(ROUNDS):
        with ThreadPoolExecutor(len(CONCURRENT)) as pool:
            replies = list(
                pool.map(
                    lambda pair: assistant.send(sender, pair[1], url=urls[pair[0] % 2]),
                    enumerate(CONCURRENT),
                )
            )
        assert all(customs(reply) for reply in replies)

    final = assistant.send(sender, "why not?", url=urls[1])
    assert answer_topic(final) == "friendship"

    events = stored_events(store_url, sender)
    said = [data["text"] for type_name, data in events if type_name == "user"]
    # Every message exactly once; the ones sent in turn in their order.
    assert sorted(said) == sorted(sequence + CONCURRENT * ROUNDS + ["why not?"])
    assert said[:3] == sequence and said[-1] == "why not?"
    for round_ in range(ROUNDS):
        start = 3 + round_ * len(CONCURRENT)
        assert sorted(said[start : start + len(CONCURRENT)]) == sorted(CONCURRENT)

    # Turns never interleave: each user message is followed by its actions up to
    # the next action_listen before the next user message is stored.
    listening = True
    for type_name, data in events:
        if type_name == "user":
            assert listening, "a message was stored in the middle of another turn"
            listening = False
        elif type_name == "action" and data.get("name") == "action_listen":
            listening = True
    # And nothing is stored twice.
    keys = [json.dumps(data, sort_keys=True) for _, data in events]
    assert len(keys) == len(set(keys))


def test_each_replica_answers_a_new_conversation(replicas):
    assistant, urls, _ = replicas
    for url in urls:
        reply = assistant.send(f"fresh-{uuid.uuid4().hex}", FRIENDSHIP_QUESTION, url=url)
        assert answer_topic(reply) == "friendship"


def test_a_shared_database_without_a_shared_lock_store_is_refused(postgres_server, tmp_path):
    """Without a lock_store entry Rasa keeps locks in each server's memory:
    with a shared database the server must not start."""
    store_url = postgres_server.create_database("tracker_without_locks")
    port = services.free_port()
    endpoints = processes.write_endpoints(tmp_path / "endpoints.yml", "http://127.0.0.1:9/webhook")
    log = tmp_path / "rasa.log"
    server = processes.spawn(
        processes.rasa_server_command(port, endpoints, model_path(), []),
        log,
        processes.rasa_environment(store_environment(store_url)),
    )
    try:
        returncode = server.wait(240)
    finally:
        processes.stop(server)
    output = log.read_text(errors="replace")
    assert returncode != 0, output[-2000:]
    assert "Refusing to start" in output
    assert "lock_store: type: rasa_extensions.lock_store.AtomicRedisLockStore" in output


def test_a_slow_turn_makes_the_next_message_wait_on_the_other_replica(replicas, redis_server):
    """The first message's action is slower than the lock's lifetime; the
    second, sent to the other replica meanwhile, waits for it: replies and
    stored turns keep their order."""
    assistant, urls, store_url = replicas
    sender = f"slow-{uuid.uuid4().hex}"
    assert answer_topic(assistant.send(sender, FRIENDSHIP_QUESTION, url=urls[0])) == "friendship"
    answered = {}

    def send(name, message, url):
        reply = assistant.send(sender, message, url=url, timeout=120)
        answered[name] = (time.monotonic(), reply)

    with frozen_actions(assistant):
        first = threading.Thread(target=send, args=("first", "why not?", urls[0]))
        first.start()
        wait_for_lock(redis_server, sender)
        second = threading.Thread(target=send, args=("second", "how long should we wait?", urls[1]))
        second.start()
        time.sleep(SLOW_ACTIONS)
        assert not answered, "a reply came while the conversation's turn was still running"
    first.join(120)
    second.join(120)

    assert answered["first"][0] < answered["second"][0]
    assert all(customs(reply) for _, reply in answered.values())
    assert user_texts(store_url, sender) == [
        FRIENDSHIP_QUESTION,
        "why not?",
        "how long should we wait?",
    ]


def test_a_killed_replica_frees_its_conversation_within_the_lock_lifetime(replicas, redis_server):
    """A replica is killed (SIGKILL) while it holds a conversation's lock: the
    other replica answers that conversation once the lock's lifetime is over."""
    assistant, urls, store_url = replicas
    store_env = store_environment(store_url, {"TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME)})
    doomed_url = start_replica(assistant, assistant.running.log_dir, store_env)
    doomed = assistant.running.extra[-1]
    sender = f"killed-{uuid.uuid4().hex}"
    assert answer_topic(assistant.send(sender, FRIENDSHIP_QUESTION, url=urls[0])) == "friendship"

    def send_to_doomed():
        with contextlib.suppress(Exception):  # its replica dies before replying
            assistant.send(sender, "why not?", url=doomed_url, timeout=120)

    with frozen_actions(assistant):
        in_flight = threading.Thread(target=send_to_doomed, daemon=True)
        in_flight.start()
        wait_for_lock(redis_server, sender)
        os.killpg(doomed.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.wait(10)

    reply = assistant.send(
        sender, "how long should we wait?", url=urls[1], timeout=LOCK_LIFETIME + 60
    )
    waited = time.monotonic() - killed_at

    assert customs(reply)
    assert waited < LOCK_LIFETIME + 15, f"answered {waited:.0f} s after the kill"
    assert user_texts(store_url, sender)[-1] == "how long should we wait?"
