"""The conversation store: Rasa's SQL tracker store that never fails silently.

Rasa wraps every tracker store in `FailSafeTrackerStore`: when a save fails it
logs one error and writes the conversation to an in-memory store that is never
read back, so the next turn quietly loses its context and nothing tells the
operator that conversations are no longer kept. This store catches its own
failures instead (so Rasa's fallback never engages) and:

- logs an ERROR naming the database on *every* failed save or load;
- keeps the unsaved conversation in this server's memory, so the person can
  go on talking, and serves it back from there;
- tries the database again on the next save, which then writes every event
  still missing (Rasa's SQL store writes whatever the database lacks), and
  logs when the database works again.

Each message loads only the session's last few turns plus the state they start
from (rasa_extensions.bounded_history), so a long conversation costs no more per
message than a short one. An SQLite file is used through rasa_extensions.sqlite_engine
(kept connections, write-ahead log). On SQLite files and PostgreSQL, saves run in
the store's one writer thread, so the server answers other conversations while a
commit waits for the disk.

Configured in endpoints.yml as `type: rasa_extensions.tracker_store.ResilientSQLTrackerStore`;
the database is chosen by project.settings.tracker_db_url (docs/deploy.md).
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from typing import Any, Dict, Iterable, Iterator, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import URL

from project import settings
from rasa_extensions import postgres_timeouts, sqlite_engine
from rasa_extensions.bounded_history import (
    LOADED_EVENTS_ATTRIBUTE,
    BoundedHistoryMixin,
    UnknownSaveStart,
)

logger = logging.getLogger(__name__)

# Conversations held in memory while the database fails; beyond this the oldest
# are dropped (and said to be) rather than letting memory grow without bound.
DEFAULT_MAX_UNSAVED = 10_000


def describe_error(error: BaseException) -> str:
    """A database error for the log, without the SQL parameters.

    SQLAlchemy's messages quote the statement's parameters, and PostgreSQL's
    DETAIL lines quote rows: both would put what people wrote into the log.
    """
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    first_line = lines[0][:200] if lines else ""
    return f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__


class ResilientSQLTrackerStore(BoundedHistoryMixin, SQLTrackerStore):
    """SQL tracker store (SQLite or PostgreSQL) that logs and retries instead of
    forgetting, and loads only the recent turns of a session (rasa_extensions.bounded_history)."""

    def __init__(
        self,
        domain: Optional[Any] = None,
        host: Optional[Text] = None,
        dialect: Optional[Text] = None,
        port: Optional[Any] = None,
        db: Optional[Text] = None,
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        query: Optional[Dict] = None,
        event_broker: Optional[Any] = None,
        max_unsaved_conversations: int = DEFAULT_MAX_UNSAVED,
        connect_timeout: Optional[float] = None,
        statement_timeout: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        url = settings.tracker_db_url(dialect, host, port, db, username, password, query)
        self.store_name = settings.describe_url(url)
        url = postgres_timeouts.with_connect_timeout(url, connect_timeout)
        if url.get_backend_name() == "sqlite":
            _create_private_sqlite_file(url)
        # Each unsaved conversation, serialised, with how many of its events
        # were loaded from the database (rasa_extensions.bounded_history), if known.
        self._unsaved: "OrderedDict[Text, Tuple[Text, Optional[int]]]" = OrderedDict()
        self._max_unsaved = int(max_unsaved_conversations)
        self._failing = False
        # Conversations whose history could not be loaded go on as a new
        # session; their next save writes all of it rather than a slice.
        self._loaded_without_history: set = set()
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            query=dict(url.query),
            event_broker=event_broker,
            **kwargs,
        )
        if sqlite_engine.is_sqlite_file(self.engine.url):
            self._use_engine(sqlite_engine.create_engine(self.engine.url))
            self.write_in_thread = True
        elif postgres_timeouts.is_postgresql(self.engine.url):
            self._use_engine(postgres_timeouts.create_engine(self.engine.url, statement_timeout))
            self.write_in_thread = True
        # Rasa only logs when it cannot create the tables; check, and create
        # them on the first save once the database is there.
        self._tables_ready = False
        try:
            self._ensure_tables()
            logger.info("Conversations are stored in %s.", self.store_name)
        except Exception as error:
            self._failing = True
            logger.error(
                "Tracker store %s is not usable at start-up (%s). Conversations are "
                "kept in this server's memory only until it is; every save retries it.",
                self.store_name,
                describe_error(error),
            )

    def _use_engine(self, engine: sa.engine.Engine) -> None:
        self.engine.dispose()
        self.engine = engine
        self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

    def _ensure_tables(self) -> None:
        if not self._tables_ready:
            self.Base.metadata.create_all(self.engine)
            self.create_session_index()
            self._tables_ready = True

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Saves to the database; on failure keeps the conversation in memory and says so."""
        try:
            self._ensure_tables()
            await super().save(tracker)
        except Exception as error:
            self._tables_ready = False
            self._failing = True
            self._keep_unsaved(tracker)
            logger.error(
                "Tracker store %s could not save a conversation (%s). It is kept in "
                "this server's memory only (%d unsaved conversation(s)) and is lost if "
                "the server stops; the next message retries the database.",
                self.store_name,
                describe_error(error),
                len(self._unsaved),
            )
            return
        self._unsaved.pop(tracker.sender_id, None)
        self._loaded_without_history.discard(tracker.sender_id)
        if self._failing:
            self._failing = False
            written = await self._write_unsaved()
            logger.warning(
                "Tracker store %s accepts saves again; %d conversation(s) kept in "
                "memory were written, %d still wait.",
                self.store_name,
                written,
                len(self._unsaved),
            )

    async def _write_unsaved(self) -> int:
        """Writes the conversations kept in memory, now that the database works again.

        Written at once rather than on each conversation's next message, so that
        another replica reading the database meanwhile sees them.
        """
        written = 0
        for sender_id in list(self._unsaved):
            tracker = self._unsaved_tracker(sender_id)
            try:
                await super().save(tracker)
            except Exception as error:
                logger.error(
                    "Tracker store %s could not write a conversation kept in memory (%s).",
                    self.store_name,
                    describe_error(error),
                )
                if isinstance(error, UnknownSaveStart):
                    continue  # this conversation only; the others may be written
                break
            self._unsaved.pop(sender_id, None)
            self._loaded_without_history.discard(sender_id)
            written += 1
        return written

    def _keep_unsaved(self, tracker: DialogueStateTracker) -> None:
        loaded = getattr(tracker, LOADED_EVENTS_ATTRIBUTE, None)
        self._unsaved[tracker.sender_id] = (self.serialise_tracker(tracker), loaded)
        self._unsaved.move_to_end(tracker.sender_id)
        while len(self._unsaved) > self._max_unsaved:
            self._unsaved.popitem(last=False)
            logger.error(
                "Tracker store %s: more than %d unsaved conversations; the oldest "
                "one was dropped from memory and is lost.",
                self.store_name,
                self._max_unsaved,
            )

    def _unsaved_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        if sender_id not in self._unsaved:
            return None
        serialised, loaded = self._unsaved[sender_id]
        tracker = self.deserialise_tracker(sender_id, serialised)
        if tracker is not None and loaded is not None:
            setattr(tracker, LOADED_EVENTS_ATTRIBUTE, loaded)
        return tracker

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session; a conversation not yet saved is served from memory."""
        unsaved = self._unsaved_tracker(sender_id)
        if unsaved is not None:
            return unsaved
        try:
            return await super().retrieve(sender_id)
        except Exception as error:
            self._log_load_failure(sender_id, error)
            return None

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        unsaved = self._unsaved_tracker(conversation_id)
        if unsaved is not None:
            return unsaved
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as error:
            self._log_load_failure(conversation_id, error)
            return None

    async def keys(self) -> Iterable[Text]:
        try:
            stored = list(await super().keys())
        except Exception as error:
            self._log_load_failure(None, error)
            stored = []
        return stored + [key for key in self._unsaved if key not in set(stored)]

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """Events to write; all of them for a conversation restarted after a failed load."""
        if tracker.sender_id in self._loaded_without_history:
            return iter(tracker.events)
        return super()._additional_events(session, tracker)

    def _log_load_failure(self, sender_id: Optional[Text], error: Exception) -> None:
        if sender_id is not None:
            self._loaded_without_history.add(sender_id)
        logger.error(
            "Tracker store %s could not load a conversation (%s); it continues "
            "without its earlier messages.",
            self.store_name,
            describe_error(error),
        )


def report_store_in_use(tracker_store: Any) -> bool:
    """Says loudly if the server keeps conversations in memory only.

    Rasa replaces a tracker store class it cannot import (a typo in endpoints.yml,
    a missing module) by its in-memory store with nothing but a warning. The REST
    channel calls this once the server is up. Returns True for an SQL store.
    """
    inner = tracker_store
    while hasattr(inner, "_tracker_store"):  # Rasa's FailSafe and Awaitable wrappers
        inner = inner._tracker_store
    if isinstance(inner, SQLTrackerStore):
        return True
    logger.error(
        "Conversations are NOT being stored: the server uses %s, which keeps them in "
        "memory and loses them when it stops. Check the tracker_store entry of the "
        "endpoints file (type: rasa_extensions.tracker_store.ResilientSQLTrackerStore).",
        type(inner).__name__,
    )
    return False


def _create_private_sqlite_file(url: URL) -> None:
    """Creates the SQLite file readable by its owner only: it holds what people wrote."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    directory = os.path.dirname(database)
    if directory:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    if not os.path.exists(database):
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
