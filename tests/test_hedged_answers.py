"""A question the NLU is fairly but not fully sure of gets an answer that says which
question it answers, with buttons for the other readings, not a bare menu."""

import pytest
from conftest import build_tracker, custom_of, texts_of

from actions.answers import SURE_CONFIDENCE, ActionAnswerTopic
from actions.base import NONE_OF_THESE_PAYLOAD
from actions.knowledge import TOPICS, knowledge_base
from rasa_extensions.button_payloads import offered_payloads

KB = knowledge_base()


def tracker_ranked(*ranking, text="could we keep in contact once it's over", role="client"):
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    tracker = build_tracker(text, intent=intents[0]["name"], role=role, intent_ranking=intents)
    tracker.latest_message["intent"]["confidence"] = intents[0]["confidence"]
    return tracker


def buttons_of(dispatcher):
    return [button for message in dispatcher.messages for button in message.get("buttons") or []]


async def test_an_unsure_answer_names_the_question_and_offers_the_others(dispatcher, domain):
    tracker = tracker_ranked(
        ("ask_friendship", 0.48), ("ask_social_media", 0.21), ("ask_events", 0.1)
    )

    await ActionAnswerTopic().run(dispatcher, tracker, domain)

    custom = custom_of(dispatcher)
    assert custom["kind"] == "answer" and custom["topic"] == "friendship"
    assert custom["hedged"] is True and custom["other_topics"] == ["social_media", "events"]
    first, others = texts_of(dispatcher)
    assert first.startswith("If you're asking whether you can be friends after therapy: ")
    assert others == KB.reader_text("client", "hedge", "others")
    payloads = [button["payload"] for button in buttons_of(dispatcher)]
    assert payloads == ["/ask_social_media", "/ask_events", NONE_OF_THESE_PAYLOAD]
    assert set(payloads) <= offered_payloads()


async def test_a_close_second_topic_hedges_even_a_confident_answer(dispatcher, domain):
    tracker = tracker_ranked(("ask_business", 0.62), ("ask_gifts", 0.57))
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert custom_of(dispatcher)["other_topics"] == ["gifts"]


async def test_a_sure_answer_is_plain(dispatcher, domain):
    tracker = tracker_ranked(("ask_gifts", SURE_CONFIDENCE + 0.2), ("ask_business", 0.1))
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "hedged" not in custom_of(dispatcher)
    assert len(texts_of(dispatcher)) == 1 and not buttons_of(dispatcher)


async def test_a_hedged_romance_answer_keeps_the_romance_wording(dispatcher, domain):
    tracker = tracker_ranked(
        ("ask_friendship", 0.45),
        ("ask_romance", 0.4),
        text="could we go out sometime, like on a date",
    )
    await ActionAnswerTopic().run(dispatcher, tracker, domain)
    custom = custom_of(dispatcher)
    assert custom["topic"] == "romance" and "cooling_off" not in custom["points"]
    assert texts_of(dispatcher)[0].startswith(f"If you're asking {KB.topics['romance'].asked_as}: ")
    assert "romance" not in custom["other_topics"]


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_says_how_it_was_asked(topic):
    assert KB.topics[topic].asked_as


async def test_a_sure_question_in_a_romantic_conversation_is_not_hedged(dispatcher, domain):
    """ "How long?" after a romance answer takes romance's wording; the NLU was sure of it,
    so no "If you're asking about dating..." and no button back to the same question."""
    tracker = build_tracker(
        "how long do we have to wait?", intent="ask_waiting_period", slots={"topic": "romance"}
    )

    await ActionAnswerTopic().run(dispatcher, tracker, domain)

    custom = custom_of(dispatcher)
    assert custom["topic"] == "romance" and "hedged" not in custom
    assert buttons_of(dispatcher) == []
    assert not texts_of(dispatcher)[0].startswith("If you're asking")
