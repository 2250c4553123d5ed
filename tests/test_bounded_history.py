"""The bounded tracker store keeps a conversation's state and stores every event once.

Each test writes through `BoundedSQLTrackerStore` into a real SQLite file and
compares with what Rasa's own SQLTrackerStore reads from the same file.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.events import deserialise_events as rasa_deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event as sa_event

from rasa_extensions.bounded_history import (
    BoundedHistoryMixin,
    BoundedSQLTrackerStore,
    Row,
    applied_rows,
    checked_window,
    choose_window,
    deserialise_events,
    session_queries,
    turn_starts,
)

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [ask_friendship, ask_romance, followup_why, nlu_fallback, affirm]
slots:
  topic: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  role: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  relationship: {type: text, influence_conversation: false, mappings: [{type: custom}]}
actions: [action_answer_topic, action_answer_followup]
"""
)
TURNS = 3  # window of the store under test: small, so short tests go past it
SENDER = "conversation-1"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "conversations.db"


@pytest.fixture
def store(db: Path) -> BoundedSQLTrackerStore:
    return BoundedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS)


@pytest.fixture
def stock(db: Path, store: BoundedSQLTrackerStore) -> SQLTrackerStore:
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))


def answer(text: str, intent: str, topic: str) -> List[Event]:
    """One turn as the processor logs it after `action_listen`."""
    return [
        UserUttered(text, {"name": intent, "confidence": 0.9}),
        ActionExecuted("action_answer_topic"),
        BotUttered(text=f"about {topic}", data={"custom": {"kind": "answer", "topic": topic}}),
        SlotSet("topic", topic),
        ActionExecuted(ACTION_LISTEN),
    ]


ACTION_LISTEN = "action_listen"
SESSION_START = [
    ActionExecuted("action_session_start"),
    SessionStarted(),
    ActionExecuted(ACTION_LISTEN),
]
TOPICS = ["friendship", "romance", "gifts", "events", "business", "feelings", "rules"]


async def converse(store: BoundedSQLTrackerStore, turns: List[List[Event]]) -> List[Event]:
    """Plays turns as the Rasa server does: load, add the turn's events, save."""
    written: List[Event] = []
    for events in turns:
        tracker = await store.get_or_create_tracker(SENDER, append_action_listen=False)
        if not tracker.events:
            events = SESSION_START + events
        for event in events:
            tracker.update(event)
        written += events
        await store.save(tracker)
    return written


def stored_rows(db: Path) -> List[dict]:
    with sqlite3.connect(db) as connection:
        return [
            json.loads(data)
            for (data,) in connection.execute("SELECT data FROM events ORDER BY id")
        ]


def same_state(bounded: DialogueStateTracker, full: DialogueStateTracker) -> None:
    assert bounded.current_slot_values() == full.current_slot_values()
    assert bounded.active_loop_name == full.active_loop_name
    assert bounded.is_paused() == full.is_paused()
    assert bounded.latest_action_name == full.latest_action_name
    assert bounded.latest_message == full.latest_message
    assert bounded.latest_bot_utterance == full.latest_bot_utterance


def topic_turns(count: int) -> List[List[Event]]:
    return [
        answer(f"question {n}", "ask_friendship", TOPICS[n % len(TOPICS)]) for n in range(count)
    ]


async def test_a_long_conversation_loads_only_its_recent_turns(store, stock):
    await converse(store, topic_turns(12))

    bounded = await store.retrieve(SENDER)
    full = await stock.retrieve(SENDER)

    assert len(bounded.events) < len(full.events) / 2
    assert sum(isinstance(e, UserUttered) for e in bounded.events) == TURNS
    same_state(bounded, full)
    assert list(bounded.events)[-5:] == list(full.events)[-5:]


async def test_a_slot_set_long_ago_survives(store, stock):
    early = [
        UserUttered("I am a client", {"name": "ask_friendship", "confidence": 0.9}),
        ActionExecuted("action_answer_topic"),
        SlotSet("role", "client"),
        SlotSet("relationship", "friendship"),
        ActionExecuted(ACTION_LISTEN),
    ]
    await converse(store, [early, *topic_turns(10)])

    bounded = await store.retrieve(SENDER)

    assert bounded.get_slot("role") == "client"
    assert bounded.get_slot("relationship") == "friendship"
    assert bounded.get_slot("topic") == TOPICS[9 % len(TOPICS)]
    same_state(bounded, await stock.retrieve(SENDER))


async def test_every_event_is_stored_once_in_order(store, db):
    written = await converse(store, topic_turns(15))

    assert stored_rows(db) == [event.as_dict() for event in written]


async def test_each_column_is_filled_as_rasas_save_fills_it(store, db, tmp_path):
    written = await converse(store, topic_turns(2))
    rasas_db = tmp_path / "rasa.db"
    tracker = DialogueStateTracker.from_events(SENDER, written, DOMAIN.slots)
    await SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(rasas_db)).save(tracker)

    def columns(path: Path) -> List[tuple]:
        with sqlite3.connect(path) as connection:
            return connection.execute(
                "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data "
                "FROM events ORDER BY id"
            ).fetchall()

    assert columns(db) == columns(rasas_db)
    assert any(row[4] == "ask_friendship" for row in columns(db))


async def test_saving_the_same_tracker_twice_adds_nothing(store, db):
    await converse(store, topic_turns(6))
    tracker = await store.retrieve(SENDER)
    tracker.update(SlotSet("topic", "waiting_period"))

    await store.save(tracker)
    await store.save(tracker)

    rows = stored_rows(db)
    assert rows[-1]["event"] == "slot" and rows[-1]["value"] == "waiting_period"
    assert sum(row["event"] == "slot" and row["value"] == "waiting_period" for row in rows) == 1


async def test_a_short_conversation_loads_whole(store, stock):
    await converse(store, topic_turns(TURNS))

    bounded = await store.retrieve(SENDER)

    assert list(bounded.events) == list((await stock.retrieve(SENDER)).events)


async def test_a_new_session_starts_without_the_old_slots(store, stock):
    await converse(store, topic_turns(8))
    tracker = await store.retrieve(SENDER)
    for event in SESSION_START:
        tracker.update(event)
    await store.save(tracker)

    bounded = await store.retrieve(SENDER)

    assert bounded.get_slot("topic") is None
    same_state(bounded, await stock.retrieve(SENDER))


async def test_resets_restarts_pauses_and_reverts_keep_the_state(store, stock):
    turns = topic_turns(3)
    turns.append(
        [UserUttered("reset", {"name": "affirm"}), AllSlotsReset(), ActionExecuted(ACTION_LISTEN)]
    )
    turns.append(answer("after reset", "ask_romance", "romance"))
    # A turn undone by a rewind: its topic must not count.
    turns.append([*answer("undone", "ask_friendship", "gifts")[:-1], UserUtteranceReverted()])
    turns.append(
        [ActionExecuted("action_answer_followup"), SlotSet("role", "therapist"), ActionReverted()]
    )
    turns.append([ConversationPaused(), ActionExecuted(ACTION_LISTEN)])
    turns += [answer(f"late {n}", "followup_why", "romance") for n in range(TURNS + 2)]
    await converse(store, turns)

    bounded = await store.retrieve(SENDER)
    full = await stock.retrieve(SENDER)

    assert len(bounded.events) < len(full.events)
    same_state(bounded, full)
    assert bounded.get_slot("topic") == "romance"
    assert bounded.get_slot("role") is None
    assert bounded.is_paused()

    tracker = await store.retrieve(SENDER)
    tracker.update(ConversationResumed())
    tracker.update(Restarted())
    await store.save(tracker)
    await converse(store, topic_turns(6))
    same_state(await store.retrieve(SENDER), await stock.retrieve(SENDER))


def fallback_loop_turns() -> List[List[Event]]:
    """The two-stage fallback: a loop over several turns ending in a rewind."""
    loop = "action_two_stage_fallback"
    return [
        [
            UserUttered("hmm friends??", {"name": "nlu_fallback"}),
            SlotSet("relationship", "friendship"),
            ActionExecuted(loop),
            BotUttered("Did you mean friendship?"),
            ActiveLoop(loop),
            ActionExecuted(ACTION_LISTEN),
        ],
        [
            UserUttered("/affirm", {"name": "affirm"}),
            SlotSet("relationship", "dating"),
            ActionExecuted(loop),
            ActiveLoop(None),
            UserUtteranceReverted(),
            UserUttered("hmm friends??", {"name": "ask_friendship"}),
            ActionExecuted("action_answer_topic"),
            SlotSet("topic", "friendship"),
            ActionExecuted(ACTION_LISTEN),
        ],
    ]


async def test_a_finished_fallback_loop_keeps_the_state(store, stock):
    await converse(store, [*topic_turns(2), *fallback_loop_turns(), *topic_turns(6)])

    bounded = await store.retrieve(SENDER)
    full = await stock.retrieve(SENDER)

    assert len(bounded.events) < len(full.events)
    same_state(bounded, full)
    # Rasa drops the slots set in the turns the loop rewound: so must we.
    assert bounded.get_slot("relationship") is None
    assert bounded.active_loop_name is None


async def test_a_window_never_starts_inside_an_active_loop(store, stock):
    loop_turns = fallback_loop_turns()
    rejected = [
        UserUttered("what?", {"name": "ask_romance"}),
        ActionExecutionRejected("action_two_stage_fallback"),
        ActionExecuted("action_answer_topic"),
        SlotSet("topic", "romance"),
        ActionExecuted(ACTION_LISTEN),
    ]
    turns = [*topic_turns(2), loop_turns[0], rejected, *topic_turns(TURNS + 2)[: TURNS - 1]]
    await converse(store, turns)

    bounded = await store.retrieve(SENDER)

    assert bounded.active_loop_name == "action_two_stage_fallback"
    assert any(isinstance(e, ActiveLoop) for e in bounded.events)
    same_state(bounded, await stock.retrieve(SENDER))


def rows_of(events: List[Event]) -> List[Row]:
    return [
        Row(index, event.type_name, event.as_dict().get("name"))
        for index, event in enumerate(events)
    ]


@pytest.mark.parametrize(
    "turns",
    [
        topic_turns(4),
        fallback_loop_turns(),
        [*topic_turns(2), *fallback_loop_turns(), *topic_turns(2)],
    ],
)
def test_applied_rows_match_rasas_applied_events(turns):
    events = SESSION_START + [event for turn in turns for event in turn]
    tracker = DialogueStateTracker.from_events(SENDER, events, DOMAIN.slots)
    rows = rows_of(events)

    applied = applied_rows(rows)

    expected = [event.as_dict() for event in tracker.applied_events()]
    assert [events[row.id].as_dict() for row in applied] == expected


def test_no_window_when_the_session_is_short():
    events = SESSION_START + [e for turn in topic_turns(TURNS) for e in turn]

    assert choose_window(rows_of(events), TURNS) == (0, [])


def session_of_turns(rng, max_turns: int, makers) -> List[Event]:
    """A session of up to `max_turns` turns: a user message, up to four events
    from `makers` (chosen at random), and `action_listen`."""
    events: List[Event] = list(SESSION_START)
    for _ in range(rng.randint(1, max_turns)):
        events.append(UserUttered("text", {"name": rng.choice(["ask_romance", "affirm"])}))
        events += [rng.choice(makers)() for _ in range(rng.randint(0, 4))]
        events.append(ActionExecuted(ACTION_LISTEN))
    return events


def random_events(rng) -> List[Event]:
    """A session of random turns mixing every event that changes the state."""
    loop = "action_two_stage_fallback"
    return session_of_turns(
        rng,
        14,
        [
            lambda: SlotSet(rng.choice(["topic", "role"]), rng.choice(TOPICS)),
            lambda: BotUttered(rng.choice(TOPICS)),
            lambda: ActionExecuted(rng.choice([loop, "action_answer_topic"])),
            lambda: ActiveLoop(rng.choice([loop, None])),
            lambda: ActionExecutionRejected(loop),
            lambda: UserUtteranceReverted(),
            lambda: ActionReverted(),
            lambda: AllSlotsReset(),
            lambda: Restarted(),
            lambda: ConversationPaused(),
            lambda: ConversationResumed(),
        ],
    )


def test_random_sessions_give_rasas_state():
    import random

    rng = random.Random(7)
    windows = 0
    for _ in range(400):
        events = random_events(rng)
        full = DialogueStateTracker.from_events(SENDER, events, DOMAIN.slots)
        rows = rows_of(events)

        assert [events[r.id].as_dict() for r in applied_rows(rows)] == [
            e.as_dict() for e in full.applied_events()
        ]

        start, state = choose_window(rows, TURNS)
        if start:
            windows += 1
            loaded = [events[row.id] for row in state] + events[start:]
            same_state(DialogueStateTracker.from_events(SENDER, loaded, DOMAIN.slots), full)
    assert windows > 100


async def test_a_copy_of_a_window_saved_later_adds_only_the_missing_events(store, db):
    """A store may keep a conversation in memory while its database is down and
    save it later: a copy of a loaded window, with no record of what is stored."""
    written = await converse(store, topic_turns(8))
    tracker = await store.retrieve(SENDER)
    later = answer("while the database was down", "followup_why", "romance")
    for event in later:
        tracker.update(event)
    copy = store.deserialise_tracker(SENDER, store.serialise_tracker(tracker))

    await store.save(copy)

    assert stored_rows(db) == [event.as_dict() for event in written + later]


def test_events_are_read_back_as_rasa_reads_them():
    rng = __import__("random").Random(3)
    events = [e for _ in range(20) for e in random_events(rng)] + [
        BotUttered("hi", {"custom": {"kind": "smalltalk"}}),
        ActiveLoop("action_two_stage_fallback"),
    ]
    stored = [json.loads(json.dumps(event.as_dict())) for event in events]

    ours = deserialise_events(stored + [{"no": "event"}])

    assert ours == rasa_deserialise_events(stored)
    assert [type(e) for e in ours] == [type(e) for e in rasa_deserialise_events(stored)]


class GuardedStore(SQLTrackerStore):
    """Like the project's store: wraps loading and swallows failed saves."""

    loads = 0
    fail_next_save = False

    async def retrieve(self, sender_id):
        type(self).loads += 1
        return await super().retrieve(sender_id)

    async def save(self, tracker):
        if self.fail_next_save:
            self.fail_next_save = False
            return  # as if the database had failed and the error was logged
        await super().save(tracker)


class MixinInFront(BoundedHistoryMixin, GuardedStore):
    pass


class MixinBehind(GuardedStore, BoundedHistoryMixin, SQLTrackerStore):
    pass


@pytest.mark.parametrize("store_class", [MixinInFront, MixinBehind])
async def test_the_mixin_works_in_front_of_or_behind_another_store(store_class, db, stock):
    store = store_class(DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS)
    written = await converse(store, topic_turns(9))

    bounded = await store.retrieve(SENDER)

    assert store_class.loads > 9
    assert sum(isinstance(e, UserUttered) for e in bounded.events) == TURNS
    same_state(bounded, await stock.retrieve(SENDER))
    assert stored_rows(db) == [event.as_dict() for event in written]


async def test_a_save_that_failed_is_made_up_by_the_next(db):
    store = MixinInFront(DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS)
    written = await converse(store, topic_turns(6))
    tracker = await store.retrieve(SENDER)
    lost_for_now = answer("during the failure", "ask_romance", "romance")
    for event in lost_for_now:
        tracker.update(event)
    store.fail_next_save = True
    await store.save(tracker)
    later = answer("after it", "followup_why", "romance")
    for event in later:
        tracker.update(event)

    await store.save(tracker)
    await store.save(tracker)

    assert stored_rows(db) == [event.as_dict() for event in written + lost_for_now + later]


def test_a_plain_session_gets_the_window_the_full_check_gives():
    rng = __import__("random").Random(11)
    for _ in range(200):
        events = list(SESSION_START)
        for n in range(rng.randint(1, 12)):
            events += answer(f"q{n}", "ask_friendship", rng.choice(TOPICS))
            events += rng.choice(
                [[], [SlotSet("role", rng.choice(["client", "therapist"]))], [BotUttered("x")]]
            )
        rows = rows_of(events)
        starts = turn_starts(rows)

        window = choose_window(rows, TURNS)

        expected = checked_window(rows, starts[1 : len(starts) - TURNS + 1])
        assert window == (expected if len(starts) > TURNS else (0, []))


async def test_only_the_current_session_of_the_conversation_is_read(store, stock):
    other = "conversation-2"
    for turn in topic_turns(4):
        for sender in (SENDER, other):
            tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
            for event in (SESSION_START if not tracker.events else []) + turn:
                tracker.update(event)
            await store.save(tracker)
    tracker = await store.retrieve(SENDER)
    for event in SESSION_START + answer("new session", "ask_gifts", "gifts"):
        tracker.update(event)
    await store.save(tracker)

    for sender in (SENDER, other):
        ours, rasas = await store.retrieve(sender), await stock.retrieve(sender)
        if sender == SENDER:
            assert list(ours.events) == list(rasas.events)
        same_state(ours, rasas)


class ListBroker:
    """An event broker that keeps what it is given."""

    def __init__(self):
        self.published = []

    def publish(self, event, **kwargs):
        self.published.append(event)


async def test_an_event_broker_gets_each_new_event_once(db):
    broker = ListBroker()
    store = BoundedSQLTrackerStore(
        DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS, event_broker=broker
    )

    written = await converse(store, topic_turns(8))

    published = [{k: v for k, v in e.items() if k != "sender_id"} for e in broker.published]
    assert published == [event.as_dict() for event in written]


def plain_events(rng) -> List[Event]:
    """A session whose events revert nothing: turns of answers and slots."""
    return session_of_turns(
        rng,
        30,
        [
            lambda: SlotSet(rng.choice(["topic", "role", "relationship"]), rng.choice(TOPICS)),
            lambda: BotUttered(rng.choice(TOPICS)),
            lambda: ActionExecuted(rng.choice(["action_answer_topic", ACTION_LISTEN])),
        ],
    )


async def test_a_long_session_is_not_listed_whole_and_loads_the_same(tmp_path):
    """The last `listing_rows` events and a grouped query for the state before
    them give the very tracker a whole listing gives, for sessions with and
    without events that revert others."""
    import random

    rng = random.Random(11)
    listed_whole = from_tail = 0
    for number in range(120):
        db = tmp_path / f"session-{number}.db"
        events = plain_events(rng) if number % 2 else random_events(rng)
        writer = BoundedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS)
        await writer.save(DialogueStateTracker.from_events(SENDER, events, DOMAIN.slots))

        short = BoundedSQLTrackerStore(
            DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS, listing_rows=30
        )
        listings = []
        listing = session_queries(short.SQLEvent.__table__).listing

        # The defaults bind this iteration's store and list.
        def record_listing(
            conn, cursor, statement, *args, listings=listings, listing=listing, short=short
        ):
            if statement == str(listing.compile(short.engine)):
                listings.append(statement)

        sa_event.listen(short.engine, "before_cursor_execute", record_listing)
        whole = BoundedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db), history_turns=TURNS)
        loaded, expected = await short.retrieve(SENDER), await whole.retrieve(SENDER)

        assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in expected.events]
        same_state(loaded, DialogueStateTracker.from_events(SENDER, events, DOMAIN.slots))
        if listings:
            listed_whole += 1
        elif len(events) > 30:
            from_tail += 1
    # Both ways were taken, many times.
    assert listed_whole > 10 and from_tail > 10


def test_the_events_table_gets_an_index_on_conversation_and_type(store, db):
    with sqlite3.connect(db) as connection:
        indexes = {row[1] for row in connection.execute("PRAGMA index_list(events)")}
        columns = [
            row[2] for row in connection.execute("PRAGMA index_info(ix_events_sender_id_type_name)")
        ]
    assert "ix_events_sender_id_type_name" in indexes
    assert columns == ["sender_id", "type_name"]
    # A second store on the same database finds it there.
    BoundedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))


async def test_a_copy_saved_after_another_writer_adds_exactly_its_new_events(store, db):
    """A copy of a loaded window (as kept in memory while the database failed)
    is saved after another replica added a turn: the copy's new events follow
    the other writer's, none is dropped or written twice."""
    written = await converse(store, topic_turns(8))
    tracker = await store.retrieve(SENDER)
    mine = answer("kept in memory", "followup_why", "romance")
    for event in mine:
        tracker.update(event)
    copy = store.deserialise_tracker(SENDER, store.serialise_tracker(tracker))
    others = await converse(store, [answer("on the other replica", "ask_romance", "romance")])

    await store.save(copy)

    assert stored_rows(db) == [event.as_dict() for event in written + others + mine]


async def test_a_save_whose_start_is_unknown_is_refused(store, db):
    """The conversation was replaced while a copy was kept: none of the copy's
    events is stored, so which are new is unknown; nothing is written."""
    from rasa_extensions.bounded_history import UnknownSaveStart

    await converse(store, topic_turns(4))
    tracker = await store.retrieve(SENDER)
    tracker.update(UserUttered("kept in memory", {"name": "followup_why", "confidence": 0.9}))
    copy = store.deserialise_tracker(SENDER, store.serialise_tracker(tracker))
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM events")
    replacement = await converse(store, topic_turns(2))

    with pytest.raises(UnknownSaveStart):
        await store.save(copy)

    assert stored_rows(db) == [event.as_dict() for event in replacement]


async def test_a_conversation_the_store_created_is_saved_whole(store, db):
    """A tracker this store created holds no stored event: all its events are
    new, even when another writer started the same conversation meanwhile."""
    others = await converse(store, topic_turns(1))
    created = await BoundedSQLTrackerStore(
        DOMAIN, dialect="sqlite", db=str(db.with_name("elsewhere.db")), history_turns=TURNS
    ).create_tracker(SENDER)
    for event in answer("new here", "ask_friendship", "friendship"):
        created.update(event)

    await store.save(created)

    assert stored_rows(db) == [event.as_dict() for event in others + list(created.events)]
