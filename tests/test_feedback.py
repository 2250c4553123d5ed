"""Feedback on answers: what the channel keeps, how the NLU labels it, the thanks."""

from __future__ import annotations

import json

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.base import CRISIS
from actions.content_version import content_version, digest
from actions.feedback import ActionRecordFeedback
from rasa_extensions.channel import parse_request
from rasa_extensions.nlu.feedback_intent import FEEDBACK_INTENT, FeedbackIntent

VOTE = {"vote": "no", "topic": "gifts", "content_version": "0123456789ab"}


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_the_channel_keeps_a_well_formed_vote():
    incoming = parse_request(
        body(
            sender="a",
            message="It said nothing about cards",
            metadata={"role": "client", "feedback": VOTE},
        ),
        1000,
    )
    assert incoming.metadata == {"role": "client", "feedback": VOTE}


@pytest.mark.parametrize(
    "feedback, kept",
    [
        ({"vote": "maybe"}, None),
        ("yes", None),
        (
            {"vote": "yes", "topic": "<script>", "content_version": "x" * 80, "email": "a@b.c"},
            {"vote": "yes"},
        ),
    ],
)
def test_the_channel_drops_anything_else_in_a_vote(feedback, kept):
    incoming = parse_request(body(sender="a", message="hi", metadata={"feedback": feedback}), 1000)
    assert incoming.metadata.get("feedback") == kept


def parsed(intent: str, metadata: dict) -> Message:
    message = Message(data={"text": "a note", "metadata": metadata})
    message.set("intent", {"name": intent, "confidence": 0.4})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.4}])
    return message


def test_a_message_with_a_vote_is_feedback():
    [message] = FeedbackIntent().process([parsed("followup_online", {"feedback": VOTE})])
    assert message.get("intent") == {"name": FEEDBACK_INTENT, "confidence": 1.0}


def test_a_crisis_in_the_note_stays_a_crisis():
    [message] = FeedbackIntent().process([parsed("crisis", {"feedback": VOTE})])
    assert message.get("intent")["name"] == "crisis"


def test_a_message_without_a_vote_keeps_its_intent():
    [message] = FeedbackIntent().process([parsed("ask_gifts", {"role": "client"})])
    assert message.get("intent")["name"] == "ask_gifts"


async def test_feedback_is_thanked_in_one_line_with_the_content_version(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker("It said nothing about cards", intent=FEEDBACK_INTENT, role="client")
    tracker.latest_message["metadata"]["feedback"] = VOTE
    await ActionRecordFeedback().run(dispatcher, tracker, domain)
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    custom = next(m["custom"] for m in dispatcher.messages if m.get("custom"))
    assert len(texts) == 1 and "Thank you" in texts[0]
    assert custom == {"kind": "smalltalk", "feedback": "no", "content_version": content_version()}
    assert custom["kind"] != CRISIS


def test_the_content_version_follows_the_wording(tmp_path):
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "replies.yml").write_text("a: 1\n")
    before = digest([tmp_path / "knowledge"])
    (tmp_path / "knowledge" / "replies.yml").write_text("a: 2\n")
    assert digest([tmp_path / "knowledge"]) != before
    assert len(content_version()) == 12
