"""Conversations survive a restart of both servers; what is exposed; what is logged.

The servers run as `make run` runs them, on a temporary SQLite tracker store.
The last test restarts them, so it stays last in this module.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from project import settings
from tests.integration.conftest import (
    FRIENDSHIP_QUESTION,
    answer_topic,
    customs,
    listening_addresses,
    start,
)

pytestmark = pytest.mark.servers

# Unique words that must never reach a log: in the text, and as a slot value (a date).
CANARY = f"canary-{uuid.uuid4().hex[:12]}"
CANARY_DATE = "the 29th of February 1888"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'tracker.db'}"


@pytest.fixture(scope="module")
def assistant(store_url, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RASA_API_TOKEN", raising=False)
        running = start(store_url, tmp_path_factory.mktemp("logs-first"))
    yield running
    running.stop()


def test_rasa_http_api_is_off_without_a_token(assistant):
    assert requests.get(f"{assistant.url}/", timeout=10).status_code == 200
    for path in ("/version", "/status", "/conversations/x/tracker", "/model/parse", "/domain"):
        assert requests.get(f"{assistant.url}{path}", timeout=10).status_code == 404, path


def test_both_servers_listen_on_loopback_only(assistant):
    assert listening_addresses(assistant.running.rasa_port) == ["127.0.0.1"]
    assert listening_addresses(assistant.running.action_port) == ["127.0.0.1"]


def test_cors_allows_the_configured_origins_only(assistant):
    def preflight(origin: str) -> requests.Response:
        return requests.options(
            f"{assistant.url}/webhooks/rest/webhook",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
            timeout=10,
        )

    for origin in settings.web_origins():
        assert preflight(origin).headers.get("Access-Control-Allow-Origin") == origin
    refused = preflight("https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused.headers
    reply = requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        json={"sender": "cors-check", "message": "hello"},
        headers={"Origin": "https://evil.example"},
        timeout=60,
    )
    assert "Access-Control-Allow-Origin" not in reply.headers


def test_no_message_text_or_slot_value_is_logged(assistant):
    sender = f"privacy-{uuid.uuid4().hex}"
    for message in (
        f"{FRIENDSHIP_QUESTION} {CANARY}",
        f"we ended therapy on {CANARY_DATE}, {CANARY} is my secret",
        f"why not {CANARY}?",
    ):
        assert customs(assistant.send(sender, message, role="client"))
    logs = assistant.logs()
    # The logs are there, at Rasa's default level (INFO), from both servers.
    assert "Conversations are stored in" in logs and "Action endpoint is up" in logs
    assert CANARY not in logs
    assert CANARY_DATE.lower() not in logs.lower() and "1888" not in logs


def test_a_conversation_survives_a_restart_of_both_servers(assistant, store_url, tmp_path_factory):
    sender = f"restart-{uuid.uuid4().hex}"
    assert answer_topic(assistant.send(sender, FRIENDSHIP_QUESTION)) == "friendship"
    assistant.stop()
    assert (
        assistant.running.rasa.poll() is not None and assistant.running.actions.poll() is not None
    )

    restarted = start(store_url, tmp_path_factory.mktemp("logs-second"))
    try:
        assert answer_topic(restarted.send(sender, "why not?")) == "friendship"
    finally:
        restarted.stop()
