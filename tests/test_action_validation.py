"""Action server replies are checked as strictly as Rasa checks them."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from rasa_extensions import action_validation

GOOD = {
    "events": [{"event": "slot", "timestamp": None, "name": "topic", "value": "friendship"}],
    "responses": [{"text": "An answer.", "custom": {"kind": "answer", "topic": "friendship"}}],
}
BAD = [
    {"events": [{"event": "slot", "name": "topic"}], "responses": []},  # no value
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [], "responses": "not a list"},
    ["not", "an", "object"],
]


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    action_validation.install()
    return RemoteAction("action_answer_topic", None)


def test_a_good_reply_passes(installed):
    assert installed._validate_action_result(GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_a_bad_reply_fails_with_rasas_error(installed, reply):
    with pytest.raises(ValidationError) as ours:
        installed._validate_action_result(reply)
    with pytest.raises(ValidationError) as rasas:
        action_validation._rasa_validate_action_result(installed, reply)

    assert ours.value.message == rasas.value.message
    assert "Failed to validate Action server response" in ours.value.message


@pytest.mark.parametrize("reply", [GOOD, *BAD])
def test_the_same_replies_pass_as_with_rasa(installed, reply):
    def passes(validate) -> bool:
        try:
            return validate(installed, reply)
        except ValidationError:
            return False

    assert passes(RemoteAction._validate_action_result) == passes(
        action_validation._rasa_validate_action_result
    )
