"""A Redis lock store that really serialises a conversation across replicas.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock by reading
it, changing it in Python and writing it back. Two replicas receiving
messages of the same conversation at the same moment both read the same lock,
both issue themselves the same ticket number, and both go ahead: each loads
the conversation, and the second save then finds its events "already stored"
and drops the second message without a trace (RasaHQ/rasa#9213;
tests/integration/test_replicas.py caught it). A concurrent lock store was
added to Rasa in #11256 and reverted from the open-source edition in #11428.

This store makes every change of a lock atomic with Redis's optimistic
transactions (WATCH/MULTI/EXEC, retried on conflict), and differs from Rasa's
(3.6, rasa/core/lock.py and lock_store.py) in three more ways:

- The lock's key expires with its last ticket (`TICKET_LOCK_LIFETIME`, 60 s
  by default, from the ticket's last renewal), so Redis keeps no lock of a
  conversation nobody is serving.
- A ticket is kept alive while its holder lives: renewed on every poll
  while it waits, and every third of its lifetime while it holds the
  conversation. Rasa counts waiting against the lifetime, so a message
  queued behind a slow one lost its ticket and failed with LockError, and a
  turn slower than the lifetime let the next message run alongside it. So a
  slow turn keeps the conversation, and a dead replica's ticket (no longer
  renewed) frees it within one lifetime.
- Ticket numbers come from a per-conversation counter that only grows.
  Rasa numbers a ticket "last ticket in the lock + 1", so once the lock has
  expired or emptied, numbering starts again at 0: a turn that outlived its
  ticket then removes, when it ends, the ticket of whoever holds the
  conversation now, and a third message runs alongside that holder. The
  counter outlives the lock's key, and a new counter starts from Redis's
  clock in milliseconds, so a number is never handed out twice.

Configured in the endpoints file as
`lock_store: type: rasa_extensions.lock_store.AtomicRedisLockStore` with the same
entries as `type: redis`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from typing import Any, AsyncIterator, Callable, Optional, Text, TypeVar

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# How much longer than its lock a ticket counter's key lives.
COUNTER_GRACE_MS = math.ceil(LOCK_LIFETIME * 1000)

Result = TypeVar("Result")
# A change of a lock: the lock read (None if there is none) to the lock to
# store, changed in place; None or a lock without tickets deletes it.
Change = Callable[[Optional[TicketLock]], Optional[TicketLock]]


def expires_in_ms(lock: TicketLock, now: float) -> int:
    """Milliseconds until the lock's last ticket expires (at least 1)."""
    latest = max(ticket.expires for ticket in lock.tickets)
    return max(1, math.ceil((latest - now) * 1000))


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose read-change-write steps are Redis transactions,
    whose keys expire with their tickets and whose ticket numbers never repeat."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds custom lock stores from the endpoints entry alone.
        if endpoint_config is not None:
            kwargs = {
                "host": endpoint_config.url or "localhost",
                **endpoint_config.kwargs,
                **kwargs,
            }
        super().__init__(**kwargs)
        # Rasa's key prefix always ends in "lock:"; the counters get their own
        # namespace beside it, so no conversation id can name a counter's key.
        self.counter_prefix = (
            self.key_prefix[: -len(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX)] + "ticket:"
        )

    def counter_key(self, conversation_id: Text) -> Text:
        return self.counter_prefix + conversation_id

    def _transaction(self, keys: list, step: Callable[[Any], Result]) -> Result:
        """Runs `step` (reads, then `multi()` and queued writes) until no
        other client changed `keys` in between."""
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(*keys)
                    result = step(transaction)
                    transaction.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock meanwhile: redo

    def _read(self, transaction: Any, key: Text) -> Optional[TicketLock]:
        stored = transaction.get(key)
        return TicketLock.from_dict(json.loads(stored)) if stored else None

    def _write(self, transaction: Any, key: Text, lock: Optional[TicketLock]) -> Optional[int]:
        """Queues storing the lock with its expiry; returns that expiry in ms."""
        if lock is not None:
            lock.remove_expired_tickets()
        if lock is None or not lock.tickets:
            transaction.delete(key)
            return None
        ttl_ms = expires_in_ms(lock, time.time())
        transaction.set(key, lock.dumps(), px=ttl_ms)
        # The ticket counter lives a lifetime longer than the lock it numbers.
        transaction.pexpire(self.counter_key(lock.conversation_id), ttl_ms + COUNTER_GRACE_MS)
        return ttl_ms

    def _change(self, conversation_id: Text, change: Change) -> None:
        key = self.key_prefix + conversation_id

        def step(transaction: Any) -> None:
            lock = change(self._read(transaction, key))
            transaction.multi()
            self._write(transaction, key, lock)

        self._transaction([key], step)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        key = self.key_prefix + conversation_id
        counter = self.counter_key(conversation_id)

        def issue(transaction: Any) -> int:
            lock = self._read(transaction, key) or self.create_lock(conversation_id)
            last = transaction.get(counter)
            if last is None:  # a new counter starts above any number issued before
                seconds, microseconds = transaction.time()
                last = seconds * 1000 + microseconds // 1000
            number = int(last) + 1
            lock.remove_expired_tickets()
            lock.tickets.append(Ticket(number, time.time() + lock_lifetime))
            transaction.multi()
            ttl_ms = self._write(transaction, key, lock) or 1
            transaction.set(counter, number, px=ttl_ms + COUNTER_GRACE_MS)
            return number

        try:
            return self._transaction([key, counter], issue)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def renew_ticket(
        self, conversation_id: Text, ticket_number: int, lock_lifetime: float
    ) -> Optional[TicketLock]:
        """Extends the ticket to a full lifetime from now; returns the lock,
        or None when the ticket is no longer there (it expired)."""
        key = self.key_prefix + conversation_id

        def renew(transaction: Any) -> Optional[TicketLock]:
            lock = self._read(transaction, key)
            if lock is not None:
                lock.remove_expired_tickets()
            ticket = (
                next((t for t in lock.tickets if t.number == ticket_number), None) if lock else None
            )
            if ticket is None:
                transaction.multi()  # nothing to write: the lock expires by itself
                return None
            ticket.expires = time.time() + lock_lifetime
            transaction.multi()
            self._write(transaction, key, lock)
            return lock

        return self._transaction([key], renew)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa 3.6's `LockStore.lock` (what `Agent.handle_message` enters for
        each message), with the ticket renewed while waiting and while held."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            lock = await self._wait_for_turn(
                conversation_id, ticket, lock_lifetime, wait_time_in_seconds
            )
            keeper = asyncio.ensure_future(self._keep_alive(conversation_id, ticket, lock_lifetime))
            try:
                yield lock
            finally:
                keeper.cancel()
        finally:
            self.cleanup(conversation_id, ticket)

    async def _wait_for_turn(
        self, conversation_id: Text, ticket: int, lock_lifetime: float, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.renew_ticket(conversation_id, ticket, lock_lifetime)
            if lock is None:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    async def _keep_alive(self, conversation_id: Text, ticket: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(lock_lifetime / 3)
            try:
                renewed = self.renew_ticket(conversation_id, ticket, lock_lifetime)
            except redis.RedisError as error:
                logger.error("Could not renew a conversation's lock: %s", type(error).__name__)
                continue
            if renewed is None:
                logger.error(
                    "A turn outlived its conversation lock (this server was blocked for more than "
                    "TICKET_LOCK_LIFETIME, %s s): the next message may run alongside it.",
                    lock_lifetime,
                )
                return

    def save_lock(self, lock: TicketLock) -> None:
        """Rasa's save, with the key's expiry (only used outside this class)."""
        key = self.key_prefix + lock.conversation_id
        with self.red.pipeline() as transaction:
            transaction.multi()
            self._write(transaction, key, lock)
            transaction.execute()

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: lock)  # _write drops expired tickets

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Optional[TicketLock]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket, and the lock with it when nobody else waits: in one step."""
        self.finish_serving(conversation_id, ticket_number)


class LocksNotShared(RuntimeError):
    """A shared database with locks that only one server sees."""


def check_locks_are_shared(tracker_store: Any, lock_store: Any) -> None:
    """Refuses a database that several servers share (anything but an SQLite
    file) together with Rasa's in-memory lock store, which is what Rasa uses
    when the endpoints file has no `lock_store`: each server would then take
    messages of one conversation at the same time, and one of two replies
    would be lost. Called by the REST channel once the agent is loaded."""
    inner = tracker_store
    while hasattr(inner, "_tracker_store"):  # Rasa's FailSafe and Awaitable wrappers
        inner = inner._tracker_store
    engine = getattr(inner, "engine", None)
    if (
        engine is None
        or engine.dialect.name == "sqlite"
        or not isinstance(lock_store, InMemoryLockStore)
    ):
        return
    store_name = getattr(inner, "store_name", None) or engine.url.render_as_string(
        hide_password=True
    )
    raise LocksNotShared(
        f"Conversations are kept in the shared database {store_name}, but the locks that keep "
        "one conversation's messages in order are kept in this server's memory (the endpoints "
        "file has no lock_store). Add "
        "`lock_store: type: rasa_extensions.lock_store.AtomicRedisLockStore` with the Redis "
        "server's url, port and password to the endpoints file (docs/deploy.md)."
    )
