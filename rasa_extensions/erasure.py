"""Erased conversations stay erased, even when a save races the erasure.

A server holds a conversation between loading and saving it (while the
assistant works out its reply), and keeps it in memory while the database is
down (rasa_extensions.tracker_store). If `python -m operations.retention forget` deletes
the conversation meanwhile, that save would write the loaded events back.

So `forget` records an erasure marker in the table `conversation_erasures`:
a SHA-256 hash of the conversation id (the table does not keep the id itself)
and the time of the erasure, never earlier than the newest event it deleted.
Every save of the conversation then writes only events newer than that time:
an erased conversation can go on (the widget keeps its id), but nothing from
before the erasure comes back.

The check must hold while `forget` runs concurrently, so a save checks twice:
before inserting (so erased text normally never reaches the disk), and after
inserting, in the same transaction, deleting whatever the marker covers. The
second check sees every erasure committed before the save's own commit:
- SQLite has one writer at a time, and a write transaction reads the latest
  data; the insert makes the save that writer until it commits.
- On PostgreSQL `forget` locks the events table against writes
  (`exclusive_writes`) while it deletes and records the marker, so a save
  either commits before the erasure (whose delete then removes its rows), or
  inserts after it and then sees the marker.

Event times come from the servers' clocks and the erasure time from the clock
of the machine running `forget` (or from the newest deleted event, whichever
is later): keep the clocks in sync, as anything running replicas must.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any, Dict, List, Optional, Sequence, Text

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_METADATA = sa.MetaData()
ERASURES = sa.Table(
    "conversation_erasures",
    _METADATA,
    sa.Column("sender_hash", sa.String(64), primary_key=True),
    sa.Column("erased_at", sa.Float, nullable=False),
)
# Built once: every save runs it twice, and building a statement costs more
# than running it.
_ERASED_AT = sa.select(ERASURES.c.erased_at).where(
    ERASURES.c.sender_hash == sa.bindparam("sender_hash")
)


def sender_hash(sender_id: Text) -> str:
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()


def create_table(bind: Any) -> None:
    """Creates the marker table if it is missing (an engine or a connection)."""
    ERASURES.create(bind, checkfirst=True)


def erased_at(connection: Connection, sender_id: Text) -> Optional[float]:
    """When the conversation was last erased, or None if it never was."""
    return connection.execute(_ERASED_AT, {"sender_hash": sender_hash(sender_id)}).scalar()


def record(connection: Connection, sender_id: Text, when: float) -> None:
    """Records an erasure at `when`, in the caller's transaction."""
    key = sender_hash(sender_id)
    connection.execute(sa.delete(ERASURES).where(ERASURES.c.sender_hash == key))
    connection.execute(sa.insert(ERASURES).values(sender_hash=key, erased_at=when))


def exclusive_writes(connection: Connection, events_table: str) -> None:
    """Makes saves wait until the caller's transaction ends (PostgreSQL).

    SHARE ROW EXCLUSIVE waits for transactions that have written events to
    commit, and blocks new writes (not reads) until this one commits. SQLite
    needs nothing: it allows one writer at a time anyway.
    """
    if connection.dialect.name == "postgresql":
        table = connection.dialect.identifier_preparer.quote(events_table)
        connection.exec_driver_sql(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def insert_events(
    connection: Connection, events: sa.Table, sender_id: Text, rows: Sequence[Dict[Text, Any]]
) -> int:
    """Inserts a conversation's new event rows, leaving out those an erasure
    covers; call inside the save's transaction. Returns how many were kept."""
    erased = erased_at(connection, sender_id)
    kept: List[Dict[Text, Any]] = [
        row for row in rows if erased is None or (row.get("timestamp") or 0) > erased
    ]
    if not kept:
        return 0
    connection.execute(_insert(events), kept)
    # `forget` may have committed since the check above: check again, now
    # that no erasure can commit before this transaction does.
    erased_since = erased_at(connection, sender_id)
    if erased_since is not None and erased_since != erased:
        _delete_erased(connection, events, sender_id, erased_since)
        return sum(1 for row in kept if (row.get("timestamp") or 0) > erased_since)
    return len(kept)


@functools.lru_cache(maxsize=None)
def _insert(events: sa.Table) -> Any:
    return events.insert()


def _delete_erased(
    connection: Connection, events: sa.Table, sender_id: Text, erased: float
) -> None:
    if connection.dialect.name == "sqlite":
        # Overwrite the deleted rows rather than leave them in free pages.
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    connection.execute(
        sa.delete(events).where(events.c.sender_id == sender_id, events.c.timestamp <= erased)
    )
