"""Rasa's "/intent" syntax on a real server: a typed slash never skips the
crisis detector, and an unknown intent is not logged with what was written."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.conftest import answer_topic, customs, start

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    store = f"sqlite:///{tmp_path_factory.mktemp('store') / 'tracker.db'}"
    running = start(store, tmp_path_factory.mktemp("logs"))
    yield running
    running.stop()


def kinds(reply):
    return [custom.get("kind") for custom in customs(reply)]


def test_a_crisis_behind_an_intent_prefix_gets_crisis_help(assistant):
    reply = assistant.send(
        f"slash-{uuid.uuid4().hex}", "/greet I want to end my life", role="client"
    )
    assert "crisis" in kinds(reply), reply


def test_a_button_payload_still_chooses_its_topic(assistant):
    reply = assistant.send(f"slash-{uuid.uuid4().hex}", "/ask_friendship", role="client")
    assert answer_topic(reply) == "friendship", reply


def test_an_unknown_intent_is_not_logged_word_for_word(assistant):
    secret = f"my-private-words-{uuid.uuid4().hex}"
    assistant.send(f"slash-{uuid.uuid4().hex}", f"/no_such_intent {secret}")
    assert secret not in assistant.logs()
