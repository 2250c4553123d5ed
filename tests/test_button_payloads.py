"""Only the assistant's own button payloads may use Rasa's "/intent" syntax."""

import pytest

from actions.base import NONE_OF_THESE_PAYLOAD
from actions.knowledge import TOPICS
from rasa_extensions.button_payloads import as_user_text, offered_payloads
from rasa_extensions.channel import BadRequest, parse_request


@pytest.mark.parametrize("payload", sorted(offered_payloads()))
def test_a_button_payload_reaches_rasa_unchanged(payload):
    assert as_user_text(payload) == payload


def test_every_topic_button_and_none_of_these_are_offered():
    assert {f"/ask_{topic}" for topic in TOPICS} | {NONE_OF_THESE_PAYLOAD} == offered_payloads()


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("/greet I want to end my life", "greet I want to end my life"),
        ("/crisis_override", "crisis_override"),
        ("/ask_friendship can we date", "ask_friendship can we date"),
        ('/ask_friendship{"relationship": "dating"}', 'ask_friendship{"relationship": "dating"}'),
        ("/ask_friendship@0.1", "ask_friendship@0.1"),
        ("//greet", "greet"),
        ("/", ""),
        ("can I text my therapist / counsellor?", "can I text my therapist / counsellor?"),
    ],
)
def test_anything_else_starting_with_a_slash_is_read_as_text(typed, read_as):
    assert as_user_text(typed) == read_as


def test_the_channel_reads_a_slash_message_as_text():
    body = b'{"sender": "s-1", "message": "/greet I want to end my life"}'
    assert parse_request(body, 1000).text == "greet I want to end my life"


def test_a_lone_slash_is_an_empty_message():
    with pytest.raises(BadRequest):
        parse_request(b'{"sender": "s-1", "message": " / "}', 1000)
