"""The atomic Redis lock store serialises one conversation across processes."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_extensions.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.replicas

WORKERS = 8
TURNS = 5


def store_for(server) -> AtomicRedisLockStore:
    """One store per worker, as each replica has its own connection."""
    return AtomicRedisLockStore(host=server.host, port=server.port, db=2)


def test_is_built_from_an_endpoints_entry(redis_server):
    config = EndpointConfig.from_dict(
        {
            "type": "rasa_extensions.lock_store.AtomicRedisLockStore",
            "url": redis_server.host,
            "port": redis_server.port,
            "db": 2,
            "key_prefix": "clinic",
        }
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix.startswith("clinic:")


def test_tickets_issued_at_the_same_time_are_all_different(redis_server):
    barrier = threading.Barrier(WORKERS)

    def issue(_):
        store = store_for(redis_server)
        barrier.wait()
        return store.issue_ticket("same-conversation")

    with ThreadPoolExecutor(WORKERS) as pool:
        tickets = list(pool.map(issue, range(WORKERS)))
    assert sorted(tickets) == list(range(min(tickets), min(tickets) + WORKERS))
    store_for(redis_server).delete_lock("same-conversation")


def test_only_one_holder_at_a_time(redis_server):
    """Each holder reads, waits and writes a counter: any overlap loses an increment."""
    counter = redis.Redis(host=redis_server.host, port=redis_server.port, db=3)
    counter.set("turns", 0)
    barrier = threading.Barrier(WORKERS)

    async def take_turns(store):
        for _ in range(TURNS):
            async with store.lock("busy-conversation", wait_time_in_seconds=0.01):
                value = int(counter.get("turns"))
                await asyncio.sleep(0.005)
                counter.set("turns", value + 1)

    def worker(_):
        store = store_for(redis_server)
        barrier.wait()
        asyncio.run(take_turns(store))

    started = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(worker, range(WORKERS)))
    assert int(counter.get("turns")) == WORKERS * TURNS
    assert time.monotonic() - started < 60
    # Nothing is left behind once every holder is done.
    assert store_for(redis_server).get_lock("busy-conversation") is None


def test_a_crashed_holders_lock_expires_with_its_ticket(redis_server):
    """A holder that never cleans up (its replica was killed) frees the
    conversation, and Redis forgets the conversation id, within the lifetime."""
    store = store_for(redis_server)
    store.issue_ticket("crashed-holder", lock_lifetime=1)
    key = store.key_prefix + "crashed-holder"
    assert 0 < store.red.pttl(key) <= 1000
    time.sleep(1.2)
    assert store.red.exists(key) == 0
    # The next message gets the conversation at once.
    started = time.monotonic()

    async def next_message():
        async with store.lock("crashed-holder", wait_time_in_seconds=0.05):
            pass

    asyncio.run(next_message())
    assert time.monotonic() - started < 1
    assert store.red.exists(key) == 0


def test_ticket_numbers_are_never_reused(redis_server):
    """The lock has expired and emptied; the next ticket still gets a new number."""
    store = store_for(redis_server)
    first = store.issue_ticket("reused-numbers", lock_lifetime=0.2)
    time.sleep(0.3)
    second = store.issue_ticket("reused-numbers", lock_lifetime=5)
    store.cleanup("reused-numbers", second)
    third = store.issue_ticket("reused-numbers", lock_lifetime=5)
    store.cleanup("reused-numbers", third)
    assert first < second < third


def test_a_turn_that_outlived_its_ticket_does_not_free_the_next_holder(redis_server):
    """A turn's ticket expired (its server was blocked longer than the lifetime)
    and the next message went ahead; when the late turn ends and removes its
    ticket, a third message must still wait for the second one."""
    holding = {}

    async def turn(name, start_after, hold):
        store = store_for(redis_server)
        await asyncio.sleep(start_after)
        async with store.lock("late-turn", lock_lifetime=10, wait_time_in_seconds=0.02):
            entered = time.monotonic()
            await asyncio.sleep(hold)
            holding[name] = (entered, time.monotonic())

    async def late_turn():
        store = store_for(redis_server)
        ticket = store.issue_ticket("late-turn", lock_lifetime=0.3)  # never renewed
        await asyncio.sleep(0.8)
        store.cleanup("late-turn", ticket)

    async def three_turns():
        await asyncio.gather(
            late_turn(), turn("second", 0.5, hold=1.5), turn("third", 1.0, hold=0.1)
        )

    asyncio.run(three_turns())
    assert holding["third"][0] >= holding["second"][1], "two messages held the conversation at once"


def test_a_slow_turn_keeps_the_conversation_and_the_next_message_its_place(redis_server):
    """A turn runs for several lock lifetimes; the message behind it waits as
    long, neither losing its place (LockError) nor running alongside it."""
    spans = {}

    async def turn(name, start_after, hold):
        store = store_for(redis_server)
        await asyncio.sleep(start_after)
        async with store.lock("slow-turn", lock_lifetime=0.6, wait_time_in_seconds=0.05):
            entered = time.monotonic()
            await asyncio.sleep(hold)
            spans[name] = (entered, time.monotonic())

    async def two_turns():
        await asyncio.gather(turn("slow", 0, hold=2.0), turn("next", 0.2, hold=0.1))

    asyncio.run(two_turns())
    assert spans["next"][0] >= spans["slow"][1], "the next message ran alongside the slow turn"
    assert store_for(redis_server).get_lock("slow-turn") is None


def test_the_ticket_counter_outlives_a_renewed_lock(redis_server):
    store = store_for(redis_server)
    ticket = store.issue_ticket("renewed", lock_lifetime=1)
    for _ in range(3):
        time.sleep(0.5)
        store.renew_ticket("renewed", ticket, lock_lifetime=1)
    assert store.red.pttl(store.counter_key("renewed")) > store.red.pttl(
        store.key_prefix + "renewed"
    )
    store.cleanup("renewed", ticket)
    assert store.red.exists(store.key_prefix + "renewed") == 0
