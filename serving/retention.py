"""Deleting stored conversations: after N days, or one conversation on request.

    python -m serving.retention forget-old [--days 30]
    python -m serving.retention forget --sender <conversation id>

Both work on the tracker database the servers use (endpoints.yml and the
TRACKER_DB_URL / DB_* variables, see serving.settings), SQLite or PostgreSQL.
Rasa keeps one row per event (messages, replies, slots) in the `events`
table; deleting a conversation's rows deletes everything stored about it.
Afterwards the database is vacuumed so deleted text does not linger in free
pages of the file.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving import settings

logger = logging.getLogger(__name__)

EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
SECONDS_PER_DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Deleted:
    events: int
    conversations: int


def _has_events_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def _conversation_count(connection: sa.engine.Connection) -> int:
    return connection.execute(
        sa.select(sa.func.count(sa.distinct(EVENTS.c.sender_id)))
    ).scalar_one()


def _delete(engine: Engine, condition: sa.sql.ClauseElement) -> Deleted:
    if not _has_events_table(engine):
        return Deleted(0, 0)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # Overwrite deleted content instead of leaving it in free pages.
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
        before = _conversation_count(connection)
        events = connection.execute(sa.delete(EVENTS).where(condition)).rowcount
        after = _conversation_count(connection)
    if events:
        _vacuum(engine)
    return Deleted(events=events, conversations=before - after)


def _vacuum(engine: Engine) -> None:
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM" if sqlite else "VACUUM events")
            if sqlite:
                # The write-ahead log still holds the pages as they were: empty it.
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except sa.exc.DBAPIError as error:
        # The rows are gone either way; the database reclaims the space later.
        logger.warning("Could not vacuum the tracker database: %s", type(error.orig).__name__)


def forget_older_than(engine: Engine, days: float, now: Optional[float] = None) -> Deleted:
    """Deletes every event older than `days`.

    A conversation idle for `days` disappears entirely; an active one loses
    its older messages only (sessions end after an hour of silence, so those
    belong to sessions that are over).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    cutoff = (now if now is not None else time.time()) - days * SECONDS_PER_DAY
    return _delete(engine, EVENTS.c.timestamp < cutoff)


def forget_conversation(engine: Engine, sender_id: str) -> Deleted:
    """Deletes everything stored for one conversation id."""
    return _delete(engine, EVENTS.c.sender_id == sender_id)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m serving.retention", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=settings.ENDPOINTS_FILE,
        help="endpoints file naming the tracker store (default: the project's)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    old = commands.add_parser("forget-old", help="delete conversations older than N days")
    old.add_argument(
        "--days",
        type=float,
        default=settings.retention_days(),
        help=f"age in days (default: RETENTION_DAYS or {settings.DEFAULT_RETENTION_DAYS})",
    )
    one = commands.add_parser("forget", help="delete everything stored for one conversation")
    one.add_argument("--sender", required=True, help="the conversation id (the REST `sender`)")
    args = parser.parse_args(argv)

    url = settings.store_url_from_endpoints(args.endpoints)
    where = settings.describe_url(url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        print(f"No conversations are stored: {where} does not exist.")
        return 0
    engine = sa.create_engine(url)
    try:
        if args.command == "forget-old":
            deleted = forget_older_than(engine, args.days)
            print(
                f"Deleted {deleted.events} event(s) older than {args.days:g} day(s); "
                f"{deleted.conversations} conversation(s) removed entirely ({where})."
            )
        else:
            deleted = forget_conversation(engine, args.sender)
            print(f"Deleted {deleted.events} event(s) of that conversation ({where}).")
    except sa.exc.DBAPIError as error:
        print(f"Could not reach the tracker database {where}: {type(error.orig).__name__}: "
              f"{str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ''}",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
