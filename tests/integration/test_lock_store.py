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
        {"type": "rasa_extensions.lock_store.AtomicRedisLockStore", "url": redis_server.host,
         "port": redis_server.port, "db": 2, "key_prefix": "clinic"}
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
    assert sorted(tickets) == list(range(WORKERS))
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
