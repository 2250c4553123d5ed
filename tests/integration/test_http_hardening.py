"""Broken HTTP framing sent over raw sockets to the real Rasa and action servers.

Sanic 21.12 hangs on `Content-Length: -1`, accepts smuggling-prone heads and buffers
100 MB bodies; rasa_extensions.http_guard refuses them from the head (400/413) in both servers.
Each check also shows the server still answers a normal question afterwards.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from pathlib import Path
from typing import Dict, Tuple

import pytest
import requests

from operations import processes
from tests.integration import services
from tests.integration.conftest import FRIENDSHIP_QUESTION, answer_topic, start

pytestmark = pytest.mark.servers

ANSWER_WITHIN = 5.0  # seconds for the status line of a refused request
BODY = json.dumps({"sender": "framing", "message": "hello"}).encode()
HEAD = "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


def chunked(body: bytes) -> bytes:
    return b"%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)


# name: (extra head lines, what follows the head, expected status, words of the guard's reason)
BAD_FRAMING: Dict[str, Tuple[str, bytes, int, str]] = {
    "negative Content-Length": ("Content-Length: -1\r\n", b"", 400, "decimal number"),
    "Content-Length and Transfer-Encoding": (
        f"Content-Length: {len(BODY)}\r\nTransfer-Encoding: chunked\r\n",
        chunked(BODY),
        400,
        "both Content-Length and Transfer-Encoding",
    ),
    "Content-Length with an underscore": (
        "Content-Length: 1_0\r\n",
        BODY[:10],
        400,
        "decimal number",
    ),
    "Content-Length with a plus sign": ("Content-Length: +5\r\n", BODY[:5], 400, "decimal number"),
    "Content-Length with extra whitespace": (
        "Content-Length:  5\r\n",
        BODY[:5],
        400,
        "decimal number",
    ),
    "Content-Length with a form feed": (
        "Content-Length:\x0c5\r\n",
        BODY[:5],
        400,
        "malformed header line",
    ),
    "two Content-Length headers": (
        "Content-Length: 5\r\nContent-Length: 6\r\n",
        BODY[:6],
        400,
        "repeated Content-Length",
    ),
    "header name with a space": ("Content-Length : 5\r\n", BODY[:5], 400, "malformed header line"),
    "Transfer-Encoding other than chunked": (
        "Transfer-Encoding: gzip, chunked\r\n",
        b"",
        400,
        "only Transfer-Encoding: chunked",
    ),
    "a 100 MB Content-Length": (
        "Content-Length: 100000000\r\n",
        b"",
        413,
        "exceeds the size limit",
    ),
}


def raw_request(
    port: int, path: str, extra_head: str, after_head: bytes, timeout: float = ANSWER_WITHIN
) -> Tuple[str, bytes, float]:
    """Sends bytes as they are; returns the status line, the rest (until the server closes
    the connection or `timeout` passes) and the seconds taken."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall((HEAD.format(path=path) + extra_head + "\r\n").encode() + after_head)
        received = b""
        try:
            while time.monotonic() - started < timeout:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
        except socket.timeout:
            pass
    status_line, _, rest = received.partition(b"\r\n")
    return status_line.decode(errors="replace"), rest, time.monotonic() - started


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    store = f"sqlite:///{tmp_path_factory.mktemp('store') / 'tracker.db'}"
    running = start(store, tmp_path_factory.mktemp("logs"))
    yield running
    running.stop()


def servers(assistant):
    return {
        "rasa": (assistant.running.rasa_port, "/webhooks/rest/webhook"),
        "actions": (assistant.running.action_port, "/webhook"),
    }


@pytest.mark.parametrize("server", ["rasa", "actions"])
@pytest.mark.parametrize("name", list(BAD_FRAMING))
def test_bad_framing_is_refused_from_the_head(assistant, server, name):
    port, path = servers(assistant)[server]
    extra_head, after_head, expected, reason = BAD_FRAMING[name]
    status_line, rest, seconds = raw_request(port, path, extra_head, after_head)
    assert status_line.startswith(f"HTTP/1.1 {expected} "), (server, name, status_line, rest[-300:])
    # Refused from the head (not by a handler that read a cut-off body), then closed.
    assert reason.encode() in rest, (server, name, rest[-300:])
    assert seconds < ANSWER_WITHIN, (server, name, seconds)


@pytest.mark.parametrize("encoding", ["chunked", "Chunked", "CHUNKED"])
def test_a_well_formed_chunked_body_is_answered_in_any_case(assistant, encoding):
    sender = f"chunked-{uuid.uuid4().hex}"
    body = json.dumps({"sender": sender, "message": FRIENDSHIP_QUESTION}).encode()
    port, path = servers(assistant)["rasa"]
    status_line, rest, _ = raw_request(
        port,
        path,
        f"Transfer-Encoding: {encoding}\r\nConnection: close\r\n",
        chunked(body),
        timeout=60,
    )
    assert b"friendship" in rest, rest[-500:]
    assert status_line.startswith("HTTP/1.1 200 "), (encoding, status_line, rest[:300])


def test_a_chunked_body_over_the_limit_is_refused(assistant):
    port, path = servers(assistant)["rasa"]
    oversized = b"%x\r\n" % 2_000_000
    status_line, _, seconds = raw_request(port, path, "Transfer-Encoding: chunked\r\n", oversized)
    assert status_line.startswith("HTTP/1.1 413 "), status_line
    assert seconds < ANSWER_WITHIN


def test_a_hung_body_does_not_block_other_requests_or_the_stop(assistant):
    port, path = servers(assistant)["rasa"]
    raw_request(port, path, "Content-Length: -1\r\n", b"")
    reply = assistant.send(f"after-{uuid.uuid4().hex}", FRIENDSHIP_QUESTION, timeout=60)
    assert answer_topic(reply) == "friendship"
    assert requests.get(f"{assistant.running.action_url}/health", timeout=10).status_code == 200


def test_only_json_bodies_are_processed(assistant):
    url = f"{assistant.url}/webhooks/rest/webhook"
    form = requests.post(url, data={"sender": "form", "message": FRIENDSHIP_QUESTION}, timeout=30)
    assert form.status_code == 415, form.text
    plain = requests.post(url, data=BODY, headers={"Content-Type": "text/plain"}, timeout=30)
    assert plain.status_code == 415
    with_charset = requests.post(
        url, data=BODY, headers={"Content-Type": "application/json; charset=UTF-8"}, timeout=60
    )
    assert with_charset.status_code == 200, with_charset.text


def test_the_root_does_not_name_rasa_or_its_version(assistant):
    root = requests.get(f"{assistant.url}/", timeout=10)
    assert root.status_code == 200
    assert root.json() == {"status": "ok"}
    assert "rasa" not in root.text.lower()


def test_server_logs_are_private(assistant):
    log_dir: Path = assistant.running.log_dir
    assert log_dir.stat().st_mode & 0o777 == 0o700
    logs = sorted(log_dir.glob("*.log"))
    assert logs
    for log in logs + [assistant.running.endpoints]:
        assert log.stat().st_mode & 0o777 == 0o600, log


def action_call(action: str, text: str) -> dict:
    sender = f"failing-{uuid.uuid4().hex}"
    latest = {"text": text, "intent": {"name": "ask", "confidence": 1.0}, "entities": []}
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_a_failing_action_leaks_nothing_of_the_conversation(tmp_path):
    port = services.free_port()
    log = tmp_path / "actions.log"
    server = processes.spawn(
        processes.action_server_command(port, "tests.integration.failing_actions"),
        log,
        processes.rasa_environment(),
    )
    try:
        processes.wait_until_up(f"http://127.0.0.1:{port}/health", 120, server)
        secret = f"my therapist hugged me {uuid.uuid4().hex}"
        reply = requests.post(
            f"http://127.0.0.1:{port}/webhook",
            json=action_call("action_that_fails", secret),
            timeout=30,
        )
        assert reply.status_code == 500
        assert secret not in reply.text and "hugged" not in reply.text
        assert reply.json() == {"error": "the action failed; see the action server's log"}
        time.sleep(0.5)  # let the log reach the file
        logged = log.read_text(errors="replace")
        assert "ValueError" in logged and "failing_actions.py" in logged
        assert secret not in logged and "hugged" not in logged
        # Sanic's own errors keep their status instead of becoming a 500.
        assert requests.get(f"http://127.0.0.1:{port}/nowhere", timeout=10).status_code == 404
    finally:
        processes.stop(server)
