"""Deleting stored conversations: after N days, or one conversation on request.

    python -m operations.retention forget-old [--days 30]
    python -m operations.retention forget --sender <conversation id>

Both work on the tracker database the servers use (endpoints.yml and the
TRACKER_DB_URL / DB_* variables, see project.settings), SQLite or PostgreSQL.
Rasa keeps one row per event (messages, replies, slots) in the `events`
table; deleting a conversation's rows deletes everything stored about it.
`forget` also records an erasure marker, so that a server which loaded the
conversation before cannot save it back (rasa_extensions.erasure); the id must fit
rasa_extensions.conversation_ids' rule, else the command refuses it with exit code 2.

Afterwards the database is vacuumed (and SQLite's write-ahead log emptied) so
deleted text does not linger in free pages; every run does, so running the
command again finishes a vacuum that failed. When the vacuum still fails after
a few attempts, the command says so and exits 1 (docs/security.md lists what
PostgreSQL keeps beyond that).
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

from project import settings
from rasa_extensions import conversation_ids, erasure

logger = logging.getLogger(__name__)

EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
SECONDS_PER_DAY = 24 * 60 * 60
# A failed vacuum is retried after 1 s, then 2 s, ...: other connections
# (a backup, a long read) usually finish within that.
VACUUM_ATTEMPTS = 3
VACUUM_RETRY_SECONDS = 1.0


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


def _delete(
    engine: Engine, condition: sa.sql.ClauseElement, erase_sender: Optional[str] = None
) -> Deleted:
    """Deletes the events matching `condition`, then vacuums.

    With `erase_sender`, also records the erasure of that conversation
    (rasa_extensions.erasure), in the same transaction, so no save brings it back.
    """
    has_events = _has_events_table(engine)
    if erase_sender is not None:
        erasure.create_table(engine)
    elif not has_events:
        return Deleted(0, 0)  # nothing was ever stored
    events = conversations = 0
    with engine.begin() as connection:
        if has_events:
            if erase_sender is not None:
                erasure.exclusive_writes(connection, "events")
            if engine.dialect.name == "sqlite":
                # Overwrite deleted content instead of leaving it in free pages.
                connection.exec_driver_sql("PRAGMA secure_delete = ON")
            before = _conversation_count(connection)
            newest = connection.execute(
                sa.select(sa.func.max(EVENTS.c.timestamp)).where(condition)
            ).scalar()
            events = connection.execute(sa.delete(EVENTS).where(condition)).rowcount
            conversations = before - _conversation_count(connection)
        if erase_sender is not None:
            # Never earlier than the newest deleted event, whatever this clock says.
            erasure.record(connection, erase_sender, max(time.time(), newest or 0.0))
    _vacuum(engine)
    return Deleted(events=events, conversations=conversations)


class VacuumFailed(RuntimeError):
    """The rows are deleted, but their content may remain on disk."""


def _vacuum(engine: Engine) -> None:
    """Rewrites the database so deleted rows leave no trace in its files,
    retrying a few times while other connections stand in the way."""
    for attempt in range(1, VACUUM_ATTEMPTS + 1):
        try:
            _vacuum_once(engine)
            return
        except (sa.exc.DBAPIError, VacuumFailed) as error:
            reason = describe_error(error)
            logger.warning("Vacuum attempt %d of %d failed: %s", attempt, VACUUM_ATTEMPTS, reason)
        if attempt < VACUUM_ATTEMPTS:
            time.sleep(VACUUM_RETRY_SECONDS * attempt)
    raise VacuumFailed(reason)


def _vacuum_once(engine: Engine) -> None:
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM" if sqlite else "VACUUM events")
        if sqlite:
            # The write-ahead log still holds the pages as they were: empty it.
            # A reader in the way does not raise, it makes the first column 1.
            busy, *_ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if busy:
                raise VacuumFailed(
                    "the write-ahead log could not be emptied: another connection is reading it"
                )


def describe_error(error: BaseException) -> str:
    """An error's type and first line, without SQL parameters (they may quote people)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0][:200]}" if lines else type(cause).__name__


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
    """Deletes everything stored for one conversation id, and keeps it erased:
    a server that loaded it earlier cannot save those events back (rasa_extensions.erasure)."""
    reason = conversation_ids.problem(sender_id)
    if reason:
        raise ValueError(f"the conversation id {reason}")
    return _delete(engine, EVENTS.c.sender_id == sender_id, erase_sender=sender_id)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m operations.retention", description=__doc__.split("\n\n")[0]
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
    if args.command == "forget":
        reason = conversation_ids.problem(args.sender)
        if reason:
            print(f"Refused: the conversation id {reason}. Nothing was deleted.", file=sys.stderr)
            return 2

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
    except VacuumFailed as error:
        print(
            f"The rows were deleted, but {where} could not be vacuumed after "
            f"{VACUUM_ATTEMPTS} attempts ({error}), so their text may remain in the "
            "database files. Run the command again once nothing else holds the database "
            "open (a backup, a long query).",
            file=sys.stderr,
        )
        return 1
    except sa.exc.DBAPIError as error:
        print(
            f"Could not reach the tracker database {where}: {describe_error(error)}",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
