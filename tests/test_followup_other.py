"""Free-form follow-ups ("what else should I weigh up?", "but she's offering a
discount"): answered for the previous topic, with that topic's reasons."""

import pytest
from conftest import custom_of, texts_of
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFollowup
from actions.knowledge import TOPICS


async def reply_to(intent, topic, role, make_tracker, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("and?", intent=intent, role=role, slots={"topic": topic})
    events = await ActionAnswerFollowup().run(dispatcher, tracker, domain)
    topic_slots = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "topic"]
    return custom_of(dispatcher), texts_of(dispatcher), topic_slots


@pytest.mark.parametrize("role", ["client", "therapist", None])
@pytest.mark.parametrize("topic", TOPICS)
async def test_a_free_form_followup_keeps_the_topic_and_gives_its_reasons(
    topic, role, make_tracker, domain
):
    other, other_texts, topic_slots = await reply_to(
        "followup_other", topic, role, make_tracker, domain
    )
    why, why_texts, _ = await reply_to("followup_why", topic, role, make_tracker, domain)

    assert (other["kind"], other["topic"]) == ("answer", topic)
    assert topic_slots == [topic]
    assert other["points"] == why["points"] and other_texts == why_texts


@pytest.mark.parametrize("role", ["client", "therapist", None])
async def test_a_free_form_followup_about_romance_never_mentions_cooling_off(
    role, make_tracker, domain
):
    custom, texts, _ = await reply_to("followup_other", "romance", role, make_tracker, domain)
    assert "cooling_off" not in custom["points"]
    assert "cooling" not in " ".join(texts).lower()
