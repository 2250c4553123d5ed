"""A conversation about romance never reaches the cooling-off answer, whatever
the shape of the follow-up (docs/contract.md, section 1)."""

import pytest
from conftest import build_tracker, custom_of, texts_of
from rasa_sdk.events import BotUttered, UserUttered

from actions.answers import FOLLOWUP_OF_INTENT, ActionAnswerFollowup, ActionAnswerTopic
from actions.knowledge import TOPICS, compose, knowledge_base
from actions.romance_context import is_romantic

READERS = ["client", "therapist", None]
FOLLOWUP_INTENTS = sorted(FOLLOWUP_OF_INTENT)


def with_earlier_message(tracker, text):
    """The tracker with `text` said by the person earlier in the session."""
    tracker.events[1:1] = [UserUttered(text), BotUttered("An answer.")]
    return tracker


def assert_no_cooling_off(dispatcher):
    assert "cooling_off" not in custom_of(dispatcher)["points"]
    assert "cooling" not in " ".join(texts_of(dispatcher)).lower()


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("topic", ["feelings", "discussing_it", "rules"])
async def test_how_long_till_we_can_after_romantic_feelings_gets_the_romance_wording(
    topic, reader, dispatcher, domain
):
    tracker = build_tracker(
        "how long till we can?", intent="followup_how_long", role=reader, slots={"topic": topic}
    )
    if topic != "feelings":
        with_earlier_message(tracker, "I think I'm in love with my therapist")

    await ActionAnswerFollowup().run(dispatcher, tracker, domain)

    assert_no_cooling_off(dispatcher)
    kb = knowledge_base()
    assert texts_of(dispatcher) == [compose(kb.followup("romance", "how_long", reader or "any"))]
    assert custom_of(dispatcher)["topic"] == topic, "a follow-up keeps the previous topic"


@pytest.mark.parametrize("reader", ["client", None])
async def test_a_therapist_who_wants_it_too_is_a_reporting_matter(reader, dispatcher, domain):
    tracker = build_tracker(
        "my therapist wants it too",
        intent="followup_both_want",
        role=reader,
        slots={"topic": "discussing_it"},
    )
    with_earlier_message(tracker, "can I tell my counsellor I have a crush on her")

    await ActionAnswerFollowup().run(dispatcher, tracker, domain)

    text = " ".join(texts_of(dispatcher))
    assert "report" in text
    assert "talk openly" not in text and "discuss" not in text.lower()
    assert_no_cooling_off(dispatcher)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("intent", FOLLOWUP_INTENTS)
@pytest.mark.parametrize("topic", TOPICS)
async def test_no_follow_up_of_any_topic_offers_cooling_off_once_romance_was_mentioned(
    topic, intent, reader, dispatcher, domain
):
    tracker = build_tracker("and then?", intent=intent, role=reader, slots={"topic": topic})
    with_earlier_message(tracker, "what if we started dating")

    await ActionAnswerFollowup().run(dispatcher, tracker, domain)

    assert_no_cooling_off(dispatcher)


@pytest.mark.parametrize("topic", ["waiting_period", "reasons", "friendship"])
async def test_a_new_question_in_a_romance_conversation_keeps_the_romance_wording(
    topic, dispatcher, domain
):
    tracker = build_tracker(
        "how long should I wait before contacting him?",
        intent=f"ask_{topic}",
        role="client",
        slots={"topic": "romance"},
    )

    await ActionAnswerTopic().run(dispatcher, tracker, domain)

    assert custom_of(dispatcher)["topic"] == "romance"
    assert_no_cooling_off(dispatcher)


async def test_a_friendship_conversation_still_hears_about_the_cooling_off_period(
    dispatcher, domain
):
    tracker = build_tracker(
        "how long do we have to wait?",
        intent="followup_how_long",
        role="client",
        slots={"topic": "friendship"},
    )
    with_earlier_message(tracker, "can I be friends with my old counsellor")

    await ActionAnswerFollowup().run(dispatcher, tracker, domain)

    assert "cooling_off" in custom_of(dispatcher)["points"]


@pytest.mark.parametrize(
    "text, romantic",
    [
        ("she asked me out for dinner", True),
        ("I have a crush on my psychologist", True),
        ("could we ever be together", True),
        ("we slept with each other once", True),
        ("is it ok to grab a coffee with him", False),
        ("can I invite her to my graduation", False),
        ("he wants to hire me to fix his roof", False),
    ],
)
def test_romantic_words_are_recognised_in_what_the_person_wrote(text, romantic):
    tracker = build_tracker(text, intent="ask_friendship")
    assert is_romantic(tracker, "friendship") is romantic


def test_a_romantic_relationship_slot_from_an_earlier_turn_counts():
    tracker = build_tracker(
        "and how long?", intent="followup_how_long", slots={"relationship": "sexual"}
    )
    assert is_romantic(tracker, "waiting_period")


def test_a_new_session_forgets_the_romance_of_the_last_one():
    tracker = build_tracker("how long?", intent="followup_how_long")
    tracker.events[0:0] = [UserUttered("I want to date my therapist"), BotUttered("An answer.")]
    assert not is_romantic(tracker, "friendship")
