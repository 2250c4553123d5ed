"""What the answers say: no overstatement, no answer contradicting another, and the
question the reader asked answered (knowledge/topics.yml, knowledge/followups.yml)."""

import re

import pytest

from actions.knowledge import READERS, REGIONS, TOPICS, compose, for_regions, knowledge_base

KB = knowledge_base()


def answer(topic, reader, region=None, phase=""):
    parts = KB.answer(topic, reader, phase)
    return compose(for_regions(parts, [region]) if region else parts)


def followup(topic, name, reader, region=None):
    parts = KB.followup(topic, name, reader)
    return compose(for_regions(parts, [region]) if region else parts)


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("topic", TOPICS)
def test_an_answer_for_one_country_stays_short_enough_for_a_chat(topic, reader, region):
    for phase in ("", "during"):
        assert len(answer(topic, reader, region, phase).split()) <= 110


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("reader", READERS)
def test_an_ordinary_purchase_from_a_former_therapist_is_fine(reader, region):
    text = answer("business", reader, region)
    assert "one-off purchase" in text and ("bread" in text or "loaf" in text), text
    assert not re.search(r"(usually|generally) discouraged", text), text


@pytest.mark.parametrize("reader", READERS)
def test_online_contact_agrees_with_the_events_answer_about_a_card(reader):
    assert "card" in answer("events", reader)
    online = followup("events", "online", reader)
    # Sending a card or a note is within the boundaries in both answers, by post or by message.
    assert "card" in online and "within professional boundaries" in online, online


def test_a_therapist_told_of_a_clients_feelings_hears_how_to_respond():
    text = answer("feelings", "therapist")
    assert "client tells you they have feelings for you" in text
    assert "supervision" in text


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", ["answer", "why", "how_long", "both_want", "online"])
def test_no_romance_answer_claims_the_codes_say_consent_is_no_defence(reader, name):
    # No code section in the references says it: it may not be claimed.
    text = answer("romance", reader) if name == "answer" else followup("romance", name, reader)
    assert "consent" not in text.lower(), text


@pytest.mark.parametrize("reader", ["therapist", "any"])
def test_online_relationships_count_under_aca(reader):
    text = followup("romance", "online", reader, "United States")
    assert "count" in text and "A.5.c" in text and "in person or online" in text, text
    # Whether online relationships count, not how the five years are counted.
    assert "last professional contact" not in text and "five-year" not in text, text


# --- Ongoing therapy and former clients (topics of both phases) ---

BOTH_PHASES = ("gifts", "social_media", "business")


def test_the_topics_of_both_phases_answer_ongoing_therapy_in_their_own_words():
    assert all(KB.topics[topic].during for topic in BOTH_PHASES)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("topic", BOTH_PHASES)
def test_an_answer_about_ongoing_therapy_never_says_former(topic, reader):
    for region in REGIONS:
        text = answer(topic, reader, region, "during")
        assert "former" not in text.lower(), text
    # Follow-ups keep the topic, so they must not say it either.
    for name in ("why", "how_long", "both_want", "online"):
        text = followup(topic, name, reader)
        assert "former" not in text.lower(), f"{name}: {text}"


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("topic", BOTH_PHASES)
def test_the_answer_for_former_clients_says_so_and_that_ongoing_therapy_is_stricter(topic, reader):
    for region in REGIONS:
        text = answer(topic, reader, region)
        assert "former" in text, text
        assert re.search(r"still in therapy|current clients|still going on|ongoing", text), text
        assert re.search(r"stricter|firmer", text), text


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("topic", BOTH_PHASES)
def test_ongoing_therapy_answers_leave_messages_and_fees_to_their_own_topics(topic, reader):
    # Contact between sessions and paying in goods or services are topics of their own.
    text = answer(topic, reader, phase="during")
    assert not re.search(r"\b(texts?|texting|e-?mails?|barter\w*|fees?)\b", text, re.I), text


@pytest.mark.parametrize("reader", READERS)
def test_gifts_during_therapy_follow_the_clinics_policy(reader):
    parts = KB.answer("gifts", reader, "during")
    assert "clinic-gifts" in [code for part in parts for code in part.codes]
    assert "money" in compose(parts) and "gift cards" in compose(parts)
