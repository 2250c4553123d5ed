"""Keep the cost of a message flat however long the conversation gets.

Rasa's SQLTrackerStore rebuilds the tracker from every event of the current
session on each message; the policies and the action server then work through
all of them again, so turn 100 costs several times turn 1.

`BoundedHistoryMixin` loads only the last `history_turns` user turns, preceded
by the stored events that carry the conversation's state up to there (the
effective value of each slot, a pause, the bot's last message), so slots such
as `topic` survive while the work per message stays the same. Saving appends
the tracker's events that follow the conversation's last stored event, except
those an erasure covers (rasa_extensions.erasure).

The state before the window is worked out from a light listing of the
session's events (id, type, name) with the same rules Rasa uses to drop
reverted events (`DialogueStateTracker.applied_events`). A window is only used
when it gives the very state the whole session gives: no form or loop active
where it starts, and no rewind inside it reaching back before it. Otherwise an
earlier start is tried, down to loading the whole session as Rasa does.

A long session is not listed whole either: its last `listing_rows` events are,
and when nothing in the session may revert other events (no loop, rewind,
pause, restart, ...), the state before the window is read with one grouped
query (each slot's last value, the bot's last message). So the work per
message stays the same at turn 1000 as at turn 10. A session that holds such
events is listed whole, as above.

Use it in front of SQLTrackerStore or of a subclass of it:
`class Store(BoundedHistoryMixin, SQLTrackerStore)`. `history_turns` can be set
in the endpoints file beside the store's other settings.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
import json
import logging
from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    ContextManager,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Text,
    Tuple,
    Type,
)

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

from rasa_extensions import erasure

if TYPE_CHECKING:
    from rasa.core.brokers.broker import EventBroker
    from rasa.shared.core.domain import Domain
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

# RulePolicy's rules look at the last turn or two; a form or loop still open
# at the window's start moves it back (see choose_window).
DEFAULT_HISTORY_TURNS = 5

# How many of a session's last events are listed before the whole listing is
# avoided: far more than `history_turns` turns take (five to eight events each).
DEFAULT_LISTING_ROWS = 120

# Set on each tracker this store loads: how many events it was loaded with
# (0 for a tracker it created: none of its events came from the database).
LOADED_EVENTS_ATTRIBUTE = "_bounded_history_loaded_events"


class UnknownSaveStart(RuntimeError):
    """The tracker holds none of the conversation's stored events, and nothing
    says which of its events are new: writing a guess could store events twice
    or drop some, so the save is refused (the caller keeps the tracker and
    retries). Happens when the stored conversation was replaced meanwhile."""


class Row(NamedTuple):
    """An event as listed from the events table, without its data."""

    id: int
    type: Text
    name: Optional[Text]  # action, slot, loop or rejected action name


# Event type names (`Event.type_name`) that matter for the state.
_RESETS = {"restart", "session_started"}
_LOOPS = {"active_loop", "form"}
_REMOVED_BY_LOOP_EXECUTION = {"action", "user", "user_featurization"}
# Without these (and resets), every event of a session is applied, in order.
_MAY_REVERT = _LOOPS | {
    "undo",
    "rewind",
    "reset_slots",
    "pause",
    "resume",
    "action_execution_rejected",
}


def applied_rows(rows: Sequence[Row]) -> List[Row]:
    """The rows whose events are applied: `DialogueStateTracker.applied_events`
    on rows instead of deserialised events."""
    loop_names = {row.name for row in rows if row.type in _LOOPS and row.name}
    applied: List[Row] = []
    for row in rows:
        if row.type in _RESETS:
            applied = []
        elif row.type == "undo":
            _undo_till_previous("action", applied)
        elif row.type == "rewind":
            _undo_till_previous("user", applied)
            _undo_till_previous("action", applied)
        elif (
            row.type == "action"
            and row.name in loop_names
            and not _first_loop_execution_or_unhappy_path(row.name, applied)
        ):
            _undo_till_previous_loop_execution(row.name, applied)
        else:
            applied.append(row)
    return applied


def _undo_till_previous(event_type: Text, applied: List[Row]) -> None:
    while applied:
        if applied.pop().type == event_type:
            break


def _first_loop_execution_or_unhappy_path(loop_name: Text, applied: List[Row]) -> bool:
    next_action: Optional[Text] = None
    for row in reversed(applied):
        if row.type in _LOOPS and row.name is None:
            return True
        if row.type == "action_execution_rejected" and row.name == loop_name:
            return True
        if row.type == "user" and next_action is not None and next_action != loop_name:
            return True
        if row.type == "action":
            if row.name == loop_name:
                return False
            next_action = row.name
    return True


def _undo_till_previous_loop_execution(loop_name: Text, applied: List[Row]) -> None:
    offset = 0
    for row in reversed(applied[:]):
        if row.type == "action" and row.name == loop_name:
            break
        if row.type in _REMOVED_BY_LOOP_EXECUTION:
            del applied[-1 - offset]
        else:
            offset += 1


def state_rows(applied: Sequence[Row]) -> Tuple[List[Row], Optional[Text]]:
    """The rows that rebuild the state the applied rows leave, and the loop
    active there (if any).

    The state is the last value of each slot since the last reset of all
    slots, whether the conversation is paused, and the bot's last message.
    """
    last_slot_set = {}
    pause: Optional[Row] = None
    bot: Optional[Row] = None
    active_loop: Optional[Text] = None
    for row in applied:
        if row.type == "slot":
            last_slot_set[row.name] = row
        elif row.type == "reset_slots":
            last_slot_set = {}
        elif row.type in ("pause", "resume"):
            pause = row if row.type == "pause" else None
        elif row.type == "bot":
            bot = row
        elif row.type in _LOOPS:
            active_loop = row.name
    rows = sorted([*last_slot_set.values(), *(r for r in (pause, bot) if r)])
    return rows, active_loop


def turn_starts(rows: Sequence[Row]) -> List[int]:
    """For each user message, the index where its turn starts: the
    `action_listen` before it, or the message itself."""
    starts = []
    last_listen: Optional[int] = None
    for index, row in enumerate(rows):
        if row.type == "action":
            last_listen = index if row.name == ACTION_LISTEN_NAME else None
        elif row.type == "user":
            starts.append(index if last_listen is None else last_listen)
            last_listen = None
    return starts


def choose_window(rows: Sequence[Row], turns: int) -> Tuple[int, List[Row]]:
    """Where the loaded window starts (an index into `rows`) and the rows before
    it that carry the state there. (0, []) means: load all rows."""
    starts = turn_starts(rows)
    if len(starts) <= turns:
        return 0, []
    candidates = starts[1 : len(starts) - turns + 1]
    base = _applied_from(rows)
    if base is not None and candidates[-1] >= base:
        # Every event from `base` on is applied, in order: no need to check.
        start = candidates[-1]
        return start, state_rows(rows[base:start])[0]
    return checked_window(rows, candidates)


def _applied_from(rows: Sequence[Row]) -> Optional[int]:
    """Where the applied events begin (after the last restart or session
    start) when none of them reverts others or holds a loop or a pause; else None."""
    base = 0
    for index, row in enumerate(rows):
        if row.type in _RESETS:
            base = index + 1
        elif row.type in _MAY_REVERT:
            return None
    return base


def checked_window(rows: Sequence[Row], candidates: Sequence[int]) -> Tuple[int, List[Row]]:
    """The latest candidate start whose window, after its state rows, gives
    what the whole session gives; (0, []) if none does."""
    whole = applied_rows(rows)
    for start in reversed(candidates):
        before = applied_rows(rows[:start])
        state, active_loop = state_rows(before)
        if active_loop is not None:
            continue
        window = list(rows[start:])
        applied = applied_rows(state + window)
        applied_ids = {row.id for row in applied}
        first_window_id = window[0].id
        same_result = whole == before + [r for r in applied if r.id >= first_window_id]
        # The turn the window starts with must stand, so that the latest action
        # and user message come from the window, not from before it.
        first_turn = [window[0].id, next(r.id for r in window if r.type == "user")]
        kept = all(row_id in applied_ids for row_id in first_turn + [r.id for r in state])
        if same_result and kept:
            return start, state
    return 0, []


class SessionQueries(NamedTuple):
    """Statements on a conversation's events (parameter `sender_id`)."""

    listing: Any  # id, type and name of the current session's events
    tail: Any  # the same for its last `limit` events, newest first
    may_revert: Any  # some event of the session that may revert others, if any
    state_before: Any  # each slot's and the bot's last event before `before_id`
    window: Any  # data of the events from `first_id` on, and of `state_ids`
    whole: Any  # data of all events of the current session
    last: Any  # data of the conversation's last stored event
    recent: Any  # data of its last `limit` stored events, newest first


@functools.lru_cache(maxsize=None)
def session_queries(table: sa.Table) -> SessionQueries:
    """Built once: the current session is what SQLTrackerStore._event_query
    selects (events from the latest SessionStarted on), in stored order."""
    c = table.c
    sender = sa.bindparam("sender_id")
    session_start = (
        sa.select(sa.func.max(c.timestamp))
        .where(c.sender_id == sender, c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    in_session = sa.and_(
        c.sender_id == sender,
        sa.or_(c.timestamp >= session_start, session_start.is_(None)),
    )
    window = sa.or_(
        c.id >= sa.bindparam("first_id"),
        c.id.in_(sa.bindparam("state_ids", expanding=True)),
    )
    last_reset = (
        sa.select(sa.func.coalesce(sa.func.max(c.id), 0))
        .where(c.sender_id == sender, c.type_name.in_(sorted(_RESETS)))
        .scalar_subquery()
    )
    listed = sa.select(c.id, c.type_name, c.action_name).where(in_session)
    return SessionQueries(
        listing=listed.order_by(c.id),
        tail=listed.order_by(c.id.desc()).limit(sa.bindparam("limit")),
        may_revert=sa.select(c.id)
        .where(in_session, c.type_name.in_(sorted(_MAY_REVERT | {"restart"})))
        .limit(1),
        # Slot events carry the slot's name where actions carry theirs; bot
        # events have none, so each slot and the bot make one group.
        state_before=sa.select(sa.func.max(c.id), c.type_name, c.action_name)
        .where(
            in_session,
            c.type_name.in_(["slot", "bot"]),
            c.id > last_reset,
            c.id < sa.bindparam("before_id"),
        )
        .group_by(c.type_name, c.action_name),
        window=sa.select(c.data).where(in_session, window).order_by(c.id),
        whole=sa.select(c.data).where(in_session).order_by(c.id),
        last=sa.select(c.data).where(c.sender_id == sender).order_by(c.id.desc()).limit(1),
        recent=sa.select(c.data)
        .where(c.sender_id == sender)
        .order_by(c.id.desc())
        .limit(sa.bindparam("limit")),
    )


@functools.lru_cache(maxsize=None)
def session_index(table: sa.Table) -> sa.Index:
    """An index on (conversation, event type): finding a session's start, its
    last reset and its slot and bot events then reads those rows, not all."""
    return sa.Index("ix_events_sender_id_type_name", table.c.sender_id, table.c.type_name)


def create_session_index(engine: Any, table: sa.Table) -> None:
    """Creates the index where it is missing. Several servers starting at once
    may race to create it; the one that loses has nothing to do."""
    try:
        session_index(table).create(bind=engine, checkfirst=True)
    except sa.exc.DBAPIError as error:
        logger.debug("Index on the events table not created here: %s", type(error.orig).__name__)


@functools.lru_cache(maxsize=1)
def _event_classes() -> Dict[Text, Type[Event]]:
    classes: Dict[Text, Type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)  # the first match, as Rasa resolves it
    return classes


def deserialise_events(serialised: List[Dict[Text, Any]]) -> List[Event]:
    """`rasa.shared.core.events.deserialise_events`, without walking all Event
    subclasses for every event (a third of the cost of loading a tracker)."""
    events = []
    for data in serialised:
        type_name = data.get("event")
        cls = _event_classes().get(type_name) if type_name is not None else None
        event = cls._from_parameters(data) if cls else Event.from_parameters(data)
        if event:
            events.append(event)
    return events


def _rows(result: Any) -> List[Row]:
    return list(map(Row._make, result.cursor))


def _window_in(rows: List[Row], turns: int) -> Tuple[int, List[Row]]:
    """`choose_window` with the start as an event id (0: the whole session)."""
    start, state = choose_window(rows, turns)
    return (rows[start].id if start else 0), state


def event_row(sender_id: Text, event: Event) -> Dict[Text, Any]:
    """The events table's columns for `event`, as SQLTrackerStore.save fills them."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _as_stored(event: Any) -> Any:
    """An event as the events table holds it (JSON turns tuples into lists)."""
    return json.loads(json.dumps(event.as_dict()))


def _canonical(stored: Any) -> Text:
    return json.dumps(stored, sort_keys=True)


class BoundedHistoryMixin:
    """Loads a bounded, state-preserving part of the current session; saves
    exactly the new events. For subclasses of SQLTrackerStore, in front of it
    or of a subclass of it: it changes how the session is read (`_retrieve`),
    which events are written (`_additional_events`) and that they are written
    in one statement (`save`), nothing else."""

    if TYPE_CHECKING:
        # What SQLTrackerStore (Rasa 3.6.21) gives the class this mixin is used in.
        engine: Engine
        event_broker: Optional[EventBroker]
        domain: Domain
        SQLEvent: Any  # the events table's declarative class
        session_scope: Callable[[], ContextManager[Session]]
        init_tracker: Callable[[Text], DialogueStateTracker]
        _stream_new_events: Callable[[EventBroker, List[Event], Text], Awaitable[None]]

    def __init__(
        self,
        *args: Any,
        history_turns: int = DEFAULT_HISTORY_TURNS,
        listing_rows: int = DEFAULT_LISTING_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if int(history_turns) < 1:
            raise ValueError("history_turns must be at least 1")
        self.history_turns = int(history_turns)
        self.listing_rows = max(int(listing_rows), 1)
        # Saves run in a thread of their own (see `save`) where the engine's
        # connections may be used from any thread; subclasses that know their
        # engine set it.
        self.write_in_thread = False
        self._writer: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self.create_session_index()

    def create_session_index(self) -> None:
        """Creates the events table's index on (conversation, event type) and
        the erasure markers' table (rasa_extensions.erasure); for stores that create
        their tables later, call it again then."""
        try:
            create_session_index(self.engine, self.SQLEvent.__table__)
            erasure.create_table(self.engine)  # read by every save
        except sa.exc.SQLAlchemyError:
            pass  # no database yet: the store says so itself

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            # super() is the store class after this mixin, which mypy cannot see.
            return await super()._retrieve(sender_id, True)  # type: ignore[misc]
        queries = session_queries(self.SQLEvent.__table__)
        with self.session_scope() as session:
            connection = session.connection()
            sender = {"sender_id": sender_id}
            first_id, state = self._window_of(connection, queries, sender)
            if first_id is None or not self.domain:
                return None
            if first_id:
                window = {"first_id": first_id, "state_ids": [r.id for r in state]}
                data = connection.execute(queries.window, {**sender, **window}).scalars()
            else:
                data = connection.execute(queries.whole, sender).scalars()
            events = [json.loads(text) for text in data]

        tracker = DialogueStateTracker.from_events(
            sender_id, deserialise_events(events), self.domain.slots
        )
        setattr(tracker, LOADED_EVENTS_ATTRIBUTE, len(tracker.events))
        return tracker

    def _window_of(
        self, connection: Any, queries: SessionQueries, sender: Dict[Text, Any]
    ) -> Tuple[Optional[int], List[Row]]:
        """Where the window starts (an event id, 0 for the whole session, None
        for no session) and the rows that carry the state there."""
        tail = _rows(connection.execute(queries.tail, {**sender, "limit": self.listing_rows}))
        tail.reverse()
        if len(tail) < self.listing_rows:  # the whole session
            return _window_in(tail, self.history_turns) if tail else (None, [])
        starts = turn_starts(tail)
        # The turn starting the window, and the whole turn before it, are in
        # the tail; nothing before it changes where that turn starts. Only a
        # session where nothing reverts anything needs no whole listing.
        if (
            len(starts) > self.history_turns
            and connection.execute(queries.may_revert, sender).first() is None
        ):
            start_id = tail[starts[-self.history_turns]].id
            state = _rows(
                connection.execute(queries.state_before, {**sender, "before_id": start_id})
            )
            return start_id, sorted(state)
        return _window_in(_rows(connection.execute(queries.listing, sender)), self.history_turns)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """SQLTrackerStore.save, with one INSERT for all the new events rather
        than an ORM object each (a third of the cost of a save).

        Where `write_in_thread` is set, the writing runs in the store's one
        writer thread: a commit waits for the disk for milliseconds, and the
        server goes on with other conversations meanwhile. One thread, so saves
        still run one at a time, in the order they come; and a save always
        ends before this returns, even when the caller is cancelled, so that
        the conversation's next message finds it.
        """
        await self.stream_events(tracker)
        if not self.write_in_thread:
            self._write_new_events(tracker)
            return
        if self._writer is None:
            self._writer = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="tracker-store-writer"
            )
        writing = asyncio.get_running_loop().run_in_executor(
            self._writer, self._write_new_events, tracker
        )
        try:
            await asyncio.shield(writing)
        except asyncio.CancelledError:
            await asyncio.wait([writing])
            raise

    def _write_new_events(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            rows = [
                event_row(tracker.sender_id, event)
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                # Leaves out what an erasure covers, even one racing this save.
                erasure.insert_events(
                    session.connection(), self.SQLEvent.__table__, tracker.sender_id, rows
                )
            session.commit()

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The tracker's events after the latest of them the database holds.

        A tracker may hold only a window of the session, so Rasa's way (skip
        as many events as the session has stored) does not apply. Finding the
        stored events in the tracker also covers a tracker saved twice, saved
        from a copy kept while the database was down, or saved after another
        writer added events. When the tracker holds none of them, only a
        tracker this store created (nothing loaded) is written whole; any
        other is refused with UnknownSaveStart rather than written misaligned.
        """
        stored = self._count_up_to_last_stored(session, tracker)
        if stored is None:
            stored = self._count_up_to_latest_stored(session, tracker)
        if stored is None and getattr(tracker, LOADED_EVENTS_ATTRIBUTE, None) == 0:
            stored = 0
        if stored is None and self._erased_since(session, tracker):
            return iter(())  # all of it predates an erasure: none of it may be written
        if stored is None:
            raise UnknownSaveStart(
                "the conversation's stored events are not in the tracker to save, so which of "
                "its events are new is unknown; not written"
            )
        return itertools.islice(tracker.events, stored, len(tracker.events))

    @staticmethod
    def _erased_since(session: Any, tracker: DialogueStateTracker) -> bool:
        """True when the conversation was erased after the tracker's newest event."""
        erased = erasure.erased_at(session.connection(), tracker.sender_id)
        newest = max((event.timestamp for event in tracker.events), default=None)
        return erased is not None and newest is not None and newest <= erased

    def _count_up_to_last_stored(
        self, session: Any, tracker: DialogueStateTracker
    ) -> Optional[int]:
        """How many of the tracker's events come up to the conversation's last
        stored event: 0 if none is stored, None if the tracker lacks it."""
        queries = session_queries(self.SQLEvent.__table__)
        last = session.connection().execute(queries.last, {"sender_id": tracker.sender_id}).scalar()
        if last is None:
            return 0
        last_stored = json.loads(last)
        stored_time = last_stored.get("timestamp") if isinstance(last_stored, dict) else None
        for index in range(len(tracker.events) - 1, -1, -1):
            event = tracker.events[index]
            # An event's stored form holds its timestamp: compare that first,
            # rather than serialise every newer event.
            if stored_time is not None and event.timestamp != stored_time:
                continue
            if _as_stored(event) == last_stored:
                return index + 1
        return None

    def _count_up_to_latest_stored(
        self, session: Any, tracker: DialogueStateTracker
    ) -> Optional[int]:
        """How many of the tracker's events come up to the latest of them among
        the conversation's recent stored events (another writer added the
        newest); None if none of them is there."""
        queries = session_queries(self.SQLEvent.__table__)
        limit = len(tracker.events) + self.listing_rows
        recent = (
            session.connection()
            .execute(queries.recent, {"sender_id": tracker.sender_id, "limit": limit})
            .scalars()
        )
        stored = {_canonical(json.loads(text)) for text in recent}
        for index in range(len(tracker.events) - 1, -1, -1):
            if _canonical(_as_stored(tracker.events[index])) in stored:
                return index + 1
        return None

    async def create_tracker(
        self, sender_id: Text, append_action_listen: bool = True
    ) -> DialogueStateTracker:
        """Rasa 3.6's TrackerStore.create_tracker, marking the new tracker as
        holding no stored event, so that its save knows all its events are new."""
        tracker = self.init_tracker(sender_id)
        setattr(tracker, LOADED_EVENTS_ATTRIBUTE, 0)
        if append_action_listen:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await self.save(tracker)
        return tracker

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publishes the events `save` is about to append, and only those
        (Rasa's way compares lengths with a freshly loaded tracker)."""
        if self.event_broker is None:
            await super().stream_events(tracker)  # type: ignore[misc]  # as in _retrieve
            return
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)


class BoundedSQLTrackerStore(BoundedHistoryMixin, SQLTrackerStore):
    """Rasa's SQLTrackerStore with bounded loading, for use on its own:
    `tracker_store: {type: rasa_extensions.bounded_history.BoundedSQLTrackerStore, db: ...}`."""
