"""Hostile and broken requests to a real server: never a 5xx, a hang or a stuck conversation.

The server runs with RASA_API_TOKEN set, which also shows the HTTP API then
answers only with the token.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from tests.integration.conftest import FRIENDSHIP_QUESTION, answer_topic, customs, start, texts

pytestmark = pytest.mark.servers

TOKEN = f"token-{uuid.uuid4().hex}"
SENDER = f"hostile-{uuid.uuid4().hex}"


def as_json(**fields) -> bytes:
    return json.dumps(fields).encode()


BAD_REQUESTS = {
    "invalid JSON": b'{"sender": "x", "message": ',
    "empty body": b"",
    "JSON that is not an object": b'["hello"]',
    "deeply nested JSON": b"[" * 50_000 + b"]" * 50_000,
    "missing message": as_json(sender=SENDER),
    "message is a number": as_json(sender=SENDER, message=42),
    "message is an object": as_json(sender=SENDER, message={"text": "hi"}),
    "message is null": as_json(sender=SENDER, message=None),
    "empty message": as_json(sender=SENDER, message=""),
    "only whitespace and control characters": as_json(sender=SENDER, message=" \x00\x1b\t"),
    "invalid UTF-8": b'{"sender": "' + SENDER.encode() + b'", "message": "caf\xc3\x28 \xff"}',
    "100,000-character sender id": as_json(sender="s" * 100_000, message="hello"),
    "sender id with control characters": as_json(sender="a\x00b", message="hello"),
    "sender id with shell syntax": as_json(sender="x'; touch /tmp/pwned; '", message="hello"),
    "missing sender": as_json(message="hello"),
    "metadata that is not an object": as_json(sender=SENDER, message="hello", metadata="therapist"),
}

ANSWERED_REQUESTS = {
    "control characters in the text": as_json(
        sender=SENDER,
        message="can\x00 i be\x1b[2J friends\x07 with my therapist after therapy ends",
    ),
    "an unknown role": as_json(
        sender=SENDER, message=FRIENDSHIP_QUESTION, metadata={"role": "admin"}
    ),
    "HTML and script in the text": as_json(
        sender=SENDER,
        message="<script>alert(1)</script><img src=x onerror=alert(2)> "
        "can i be friends with my therapist?",
    ),
    "lone surrogates": b'{"sender": "' + SENDER.encode() + b'", "message": "hello \\ud800 there"}',
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    store = f"sqlite:///{tmp_path_factory.mktemp('store') / 'tracker.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_API_TOKEN", TOKEN)
        running = start(store, tmp_path_factory.mktemp("logs"))
    yield running
    running.stop()


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_bad_requests_get_400_with_a_json_error(assistant, name):
    response = assistant.post(BAD_REQUESTS[name])
    assert response.status_code == 400, (name, response.status_code, response.text[:300])
    assert isinstance(response.json().get("error"), str)


@pytest.mark.parametrize("name", list(ANSWERED_REQUESTS))
def test_odd_but_valid_requests_are_answered(assistant, name):
    response = assistant.post(ANSWERED_REQUESTS[name])
    assert response.status_code == 200, (name, response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json")
    assert customs(response.json()), response.json()


def test_an_over_long_message_gets_a_polite_reply_within_a_second(assistant):
    # Worded like a crisis on purpose: the reply must carry the crisis line anyway.
    message = ("I can't go on, I want to end it all. " * 3000)[:100_000]
    started = time.perf_counter()
    response = assistant.post(as_json(sender=SENDER, message=message, metadata={"role": "client"}))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    reply = response.json()
    assert customs(reply) == [{"kind": "clarify", "reason": "too_long"}]
    lines = texts(reply)
    assert len(lines) >= 2
    assert any(
        word in " ".join(lines).lower() for word in ("988", "crisis", "emergency", "samaritans")
    )


def test_wrong_methods_and_paths_are_client_errors(assistant):
    assert requests.get(f"{assistant.url}/webhooks/rest/webhook", timeout=10).status_code == 405
    assert (
        requests.post(f"{assistant.url}/webhooks/nope/webhook", data=b"{}", timeout=10).status_code
        == 404
    )


def test_after_all_that_the_conversation_is_answered_normally(assistant):
    for body in list(BAD_REQUESTS.values()) + list(ANSWERED_REQUESTS.values()):
        assistant.post(body)
    reply = assistant.send(SENDER, FRIENDSHIP_QUESTION, timeout=30)
    assert answer_topic(reply) == "friendship"
    assert answer_topic(assistant.send(SENDER, "why not?", timeout=30)) == "friendship"
    assert "Traceback" not in assistant.logs()


def test_the_http_api_needs_the_token(assistant):
    assert requests.get(f"{assistant.url}/status", timeout=10).status_code == 401
    assert (
        requests.get(f"{assistant.url}/status", params={"token": "wrong"}, timeout=10).status_code
        == 401
    )
    assert (
        requests.get(f"{assistant.url}/status", params={"token": TOKEN}, timeout=10).status_code
        == 200
    )
    assert TOKEN not in assistant.logs()
