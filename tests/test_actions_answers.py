"""Grounded answers and follow-ups, as the action server runs them."""

import pytest
from conftest import custom_of, texts_of

from actions.answers import ActionAnswerFollowup, ActionAnswerTopic
from actions.knowledge import FOLLOWUPS, POINT_IDS, TOPICS, knowledge_base

ROLES = ["client", "therapist", None]
FOLLOWUP_INTENTS = {
    "why": "followup_why",
    "how_long": "followup_how_long",
    "both_want": "followup_both_want",
    "online": "followup_online",
}


def slot_events(events):
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


async def answer_to(make_tracker, dispatcher, domain, text, intent, **tracker_args) -> str:
    """The text of the topic answer to `text`, asked with `intent`."""
    tracker = make_tracker(text, intent=intent, **tracker_args)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    return texts_of(dispatcher)[0]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("topic", TOPICS)
async def test_every_topic_is_answered_for_every_reader(
    topic, role, make_tracker, dispatcher, domain
):
    tracker = make_tracker("a question", intent=f"ask_{topic}", role=role)

    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)

    custom = custom_of(dispatcher)
    assert custom["kind"] == "answer"
    assert custom["topic"] == topic
    assert custom["points"] and set(custom["points"]) <= set(POINT_IDS)
    assert [source["id"] for source in custom["sources"]] == custom["points"]
    [text] = texts_of(dispatcher)
    # The shipped clinic serves two countries and gives the rules of both; a clinic in
    # one country gets at most 110 words (tests/test_answer_content.py).
    assert 15 <= len(text.split()) <= 150, "answers stay short enough for a chat"
    assert slot_events(events)["topic"] == topic


async def test_the_custom_object_lists_exactly_the_points_of_the_parts(
    make_tracker, dispatcher, domain
):
    kb = knowledge_base()
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("x", intent="ask_friendship", role="client"), domain
    )
    expected = []
    for part in kb.answer("friendship", "client"):
        expected += [p for p in part.points if p not in expected]
    assert custom_of(dispatcher)["points"] == expected


async def test_sources_carry_the_documents_words(make_tracker, dispatcher, domain):
    kb = knowledge_base()
    await ActionAnswerTopic().run(dispatcher, make_tracker("x", intent="ask_reasons"), domain)
    for source in custom_of(dispatcher)["sources"]:
        assert source["passage"] in kb.document
        assert source["title"] == kb.points[source["id"]].title


async def test_client_and_therapist_get_different_wording(make_tracker, domain):
    from rasa_sdk.executor import CollectingDispatcher

    replies = {}
    for role in ("client", "therapist"):
        dispatcher = CollectingDispatcher()
        await ActionAnswerTopic().run(
            dispatcher, make_tracker("x", intent="ask_friendship", role=role), domain
        )
        replies[role] = texts_of(dispatcher)[0]
    assert replies["client"] != replies["therapist"]
    assert "you both want it" in replies["therapist"] or "former client" in replies["therapist"]


async def test_an_unknown_role_is_answered_for_either_reader(make_tracker, dispatcher, domain):
    kb = knowledge_base()
    from actions.knowledge import compose

    await ActionAnswerTopic().run(
        dispatcher, make_tracker("x", intent="ask_gifts", role="admin"), domain
    )
    assert texts_of(dispatcher) == [compose(kb.answer("gifts", "any"))]


async def test_the_role_is_remembered_when_a_message_has_none(make_tracker, dispatcher, domain):
    kb = knowledge_base()
    from actions.knowledge import compose

    tracker = make_tracker("x", intent="ask_gifts", slots={"role": "therapist"})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts_of(dispatcher) == [compose(kb.answer("gifts", "therapist"))]


async def test_a_new_role_is_kept_in_a_slot(make_tracker, dispatcher, domain):
    events = await ActionAnswerTopic().run(
        dispatcher, make_tracker("x", intent="ask_gifts", role="client"), domain
    )
    assert slot_events(events)["role"] == "client"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("followup", FOLLOWUPS)
@pytest.mark.parametrize("topic", TOPICS)
async def test_followups_keep_the_previous_topic(
    topic, followup, role, make_tracker, dispatcher, domain
):
    tracker = make_tracker(
        "and?", intent=FOLLOWUP_INTENTS[followup], role=role, slots={"topic": topic}
    )

    events = await ActionAnswerFollowup().run(dispatcher, tracker, domain)

    custom = custom_of(dispatcher)
    assert (custom["kind"], custom["topic"]) == ("answer", topic)
    assert custom["points"]
    assert slot_events(events)["topic"] == topic


async def test_why_not_after_friendship_explains_the_friendship_reasons(
    make_tracker, dispatcher, domain
):
    kb = knowledge_base()
    tracker = make_tracker(
        "why not?", intent="followup_why", role="client", slots={"topic": "friendship"}
    )
    await ActionAnswerFollowup().run(dispatcher, tracker, domain)
    custom = custom_of(dispatcher)
    # The introduction rests on the point that the boundaries protect the client.
    intro = [p for part in kb.followups["why"]["client"] for p in part.points]
    assert custom["points"] == intro + list(kb.topics["friendship"].reasons)
    text = texts_of(dispatcher)[0]
    for point in kb.topics["friendship"].reasons:
        assert kb.points[point].sentences["client"] in text


@pytest.mark.parametrize("followup", FOLLOWUPS)
@pytest.mark.parametrize("role", ROLES)
async def test_romance_follow_ups_never_mention_cooling_off(
    followup, role, make_tracker, dispatcher, domain
):
    tracker = make_tracker(
        "and?", intent=FOLLOWUP_INTENTS[followup], role=role, slots={"topic": "romance"}
    )
    await ActionAnswerFollowup().run(dispatcher, tracker, domain)
    assert "cooling_off" not in custom_of(dispatcher)["points"]
    assert "cooling" not in " ".join(texts_of(dispatcher)).lower()


async def test_romance_answers_cite_the_codes_by_section(make_tracker, dispatcher, domain):
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("x", intent="ask_romance", role="therapist"), domain
    )
    text = texts_of(dispatcher)[0]
    for section in ("APA 10.08", "ACA A.5.c", "NASW 1.09", "AAMFT 1.5"):
        assert section in text


async def test_waiting_to_date_gets_the_romance_rules_not_cooling_off(
    make_tracker, dispatcher, domain
):
    entities = [{"entity": "relationship", "value": "dating", "start": 24, "end": 28}]
    tracker = make_tracker(
        "how long until we can date", intent="ask_waiting_period", entities=entities
    )
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    custom = custom_of(dispatcher)
    assert custom["topic"] == "romance"
    assert "cooling_off" not in custom["points"]


async def test_the_answer_mentions_when_therapy_ended(make_tracker, dispatcher, domain):
    text = "therapy ended six months ago, can we be friends now"
    entities = [{"entity": "DATE", "value": "six months ago", "start": 14, "end": 28}]
    tracker = make_tracker(text, intent="ask_friendship", entities=entities, role="client")
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts_of(dispatcher)[0].startswith("You mentioned therapy ended six months ago.")


@pytest.mark.parametrize(
    "text, when, expected",
    [
        (
            "it's been two years since we stopped",
            "two years",
            "it has been two years since therapy ended",
        ),
        ("we finished in 2023", "2023", "therapy ended in 2023"),
        ("therapy was over last spring", "last spring", "therapy ended last spring"),
    ],
)
async def test_time_phrases_are_worded_naturally(
    text, when, expected, make_tracker, dispatcher, domain
):
    entities = [{"entity": "DATE", "value": when}]
    tracker = make_tracker(text, intent="ask_friendship", entities=entities)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert expected in texts_of(dispatcher)[0]


async def test_a_date_unrelated_to_the_end_of_therapy_is_not_mentioned(
    make_tracker, dispatcher, domain
):
    entities = [{"entity": "DATE", "value": "yesterday"}]
    tracker = make_tracker(
        "i saw her yesterday at the gym", intent="ask_chance_encounter", entities=entities
    )
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "mentioned" not in texts_of(dispatcher)[0]


async def test_a_followup_with_no_topic_asks_which_situation(make_tracker, dispatcher, domain):
    await ActionAnswerFollowup().run(
        dispatcher, make_tracker("why not?", intent="followup_why"), domain
    )
    custom = custom_of(dispatcher)
    assert custom["kind"] == "clarify"
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    assert len(buttons) == len(knowledge_base().words("no_topic", "topics")) >= 2
    assert all(b["payload"].startswith("/ask_") for b in buttons)


async def test_the_first_reply_says_what_the_assistant_is_not(make_tracker, dispatcher, domain):
    tracker = make_tracker("x", intent="ask_friendship", role="client", first_reply=True)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    first = texts_of(dispatcher)[0]
    assert (
        "not a therapist" in first and "not a crisis service" in first and "legal advice" in first
    )


async def test_the_therapist_disclaimer_is_worded_for_therapists(make_tracker, dispatcher, domain):
    tracker = make_tracker("x", intent="ask_gifts", role="therapist", first_reply=True)
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    first = texts_of(dispatcher)[0]
    assert "not clinical supervision" in first and "crisis service" in first


async def test_a_new_session_starts_with_the_disclaimer_again(make_tracker, dispatcher, domain):
    tracker = make_tracker("x", intent="ask_gifts", role="client")
    tracker.events.insert(-2, {"event": "session_started"})
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts_of(dispatcher)[0] == knowledge_base().text("disclaimer", "client")


async def test_later_replies_have_no_disclaimer(make_tracker, dispatcher, domain):
    await ActionAnswerTopic().run(
        dispatcher, make_tracker("x", intent="ask_gifts", role="client"), domain
    )
    assert len(texts_of(dispatcher)) == 1


async def test_the_answer_after_a_crisis_starts_with_care(make_tracker, dispatcher, domain):
    kb = knowledge_base()
    tracker = make_tracker(
        "x", intent="ask_friendship", role="client", slots={"crisis_followup": True}
    )
    events = await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts_of(dispatcher)[0] == kb.text("after_crisis", "note", "client")
    assert slot_events(events)["crisis_followup"] is False


@pytest.mark.parametrize("topic", ["romance", "rules", "waiting_period", "business", "events"])
async def test_a_reader_in_the_uk_gets_uk_codes_and_no_licensing_board(
    topic, make_tracker, dispatcher, domain
):
    kb = knowledge_base()
    question = "I'm in the UK: what about this?"
    text = await answer_to(
        make_tracker, dispatcher, domain, question, f"ask_{topic}", role="therapist"
    )
    custom = custom_of(dispatcher)
    assert "licensing board" not in text and "regulator or professional body" in text
    assert custom["codes"]
    assert {kb.sources[code].region for code in custom["codes"]} == {"United Kingdom"}


async def test_a_reader_in_the_us_gets_us_codes_and_no_uk_regulator(
    make_tracker, dispatcher, domain
):
    kb = knowledge_base()
    question = "what do the rules say?"
    region = {"region": "United States"}
    text = await answer_to(
        make_tracker, dispatcher, domain, question, "ask_rules", role="client", slots=region
    )
    assert "licensing board" in text and "HCPC" not in text and "BACP" not in text
    assert {kb.sources[code].region for code in custom_of(dispatcher)["codes"]} == {"United States"}


@pytest.mark.parametrize(
    "text, phase_words",
    [
        ("my current client offered me an expensive watch", "clinic's policy"),
        ("a former client sent me a gift", "former"),
    ],
)
async def test_a_gift_question_is_answered_for_its_phase_of_therapy(
    text, phase_words, make_tracker, dispatcher, domain
):
    answer = await answer_to(make_tracker, dispatcher, domain, text, "ask_gifts", role="therapist")
    assert phase_words in answer
    if "current" in text:
        assert "former" not in answer.lower()
        assert "clinic-gifts" in custom_of(dispatcher)["codes"]


async def test_the_phase_stays_for_the_conversation(make_tracker, dispatcher, domain):
    question = "and can I follow them on instagram?"
    text = await answer_to(
        make_tracker, dispatcher, domain, question, "ask_social_media", slots={"phase": "during"}
    )
    assert "former" not in text.lower()
