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
transactions (WATCH/MULTI/EXEC, retried on conflict). Tickets, their order and
their lifetime work as in Rasa. Configured in the endpoints file as
`lock_store: type: rasa_extensions.lock_store.AtomicRedisLockStore` with the same
entries as `type: redis`.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")
# What a change does: the lock to store (None deletes it) and a value to return.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose read-change-write steps are Redis transactions."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds custom lock stores from the endpoints entry alone.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Change) -> Result:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(key)
                    stored = transaction.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    new_lock, result = change(lock)
                    transaction.multi()
                    if new_lock is None:
                        transaction.delete(key)
                    else:
                        transaction.set(key, new_lock.dumps())
                    transaction.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock meanwhile: redo

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket, and the lock with it when nobody else waits: in one step."""

        def finish_and_maybe_delete(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_maybe_delete)
