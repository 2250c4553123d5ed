"""web/serve.py, the pages' static server, started as `make run` starts it and spoken to over
raw sockets: it never serves its own source, refuses malformed paths, and does not let a slow
or idle client hold a connection."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Tuple

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SERVE = PROJECT_ROOT / "web" / "serve.py"
TIMEOUT_SECONDS = 1.0
# A line of web/serve.py that no page contains.
SOURCE_MARKER = b"SimpleHTTPRequestHandler"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(SERVE),
            str(port),
            "--rasa-url",
            "http://127.0.0.1:5005",
            "--quiet",
            "--timeout",
            str(TIMEOUT_SECONDS),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"web/serve.py did not start: {process.stderr.read()!r}"
                    ) from error
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        # Nothing the tests send may raise inside the server.
        assert b"Traceback" not in errors, errors.decode(errors="replace")


def exchange(port: int, request: bytes, wait: float = 5.0) -> Tuple[int, bytes]:
    """Sends a raw request; returns the status and the body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer, "the server closed the connection without an answer"
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def get(port: int, path: bytes) -> Tuple[int, bytes]:
    return exchange(port, b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")


def test_the_pages_and_the_config_are_served(port):
    status, body = get(port, b"/")
    assert status == 200 and b"boundaries-chat.js" in body
    assert get(port, b"/therapist/")[0] == 200
    assert get(port, b"/widget/boundaries-chat.js")[0] == 200
    status, body = get(port, b"/config.js")
    assert status == 200 and b"http://127.0.0.1:5005" in body


@pytest.mark.parametrize(
    "path",
    [
        b"/serve.py",
        b"/serve%2epy",  # an encoded dot
        b"/serve%2Epy",
        b"/%73erve.py",  # an encoded letter
        b"/serve.p%79",
        b"//serve.py",  # an empty first segment: urlsplit reads "serve.py" as a host
        b"/widget/..%2fserve.py",  # an encoded slash
        b"/widget/%2e%2e/serve.py",  # an encoded parent folder
        b"/%2e%2e/web/serve.py",
        b"/widget/%2e%2e%2fserve.py",
        b"/serve%252epy",  # encoded twice: decoded once, as the file name is
        b"/..%5cserve.py",  # backslashes
        b"/widget\\..\\serve.py",
        b"/serve.py?download=1",
        b"/serve.py/",
        b"/__pycache__/",
        b"/.hidden",
    ],
)
def test_no_spelling_of_a_path_reaches_the_servers_source(port, path):
    status, body = get(port, path)
    assert status == 404, (path, status)
    assert SOURCE_MARKER not in body
    head_status, _ = exchange(port, b"HEAD " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert head_status == 404


@pytest.mark.parametrize(
    "path",
    [b"/%00", b"/index.html%00.js", b"/serve.py%00", b"/a\x00b", b"/%0d%0aX:%20y", b"/%7f"],
)
def test_a_path_with_a_nul_or_a_control_character_is_malformed(port, path):
    assert get(port, path)[0] == 400
    assert exchange(port, b"HEAD " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")[0] == 400


def test_an_idle_connection_is_closed(port):
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS + 5) as idle:
        started = time.monotonic()
        assert idle.recv(1024) == b""  # closed by the server, not timed out here
        assert time.monotonic() - started < TIMEOUT_SECONDS + 2


def test_a_client_trickling_its_request_is_cut_off_and_others_are_served(port):
    """Slowloris: one byte at a time, each well within the idle timeout."""
    slow = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS + 5)
    started = time.monotonic()
    try:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        # Meanwhile, everyone else is served at once.
        status, _ = get(port, b"/")
        assert status == 200 and time.monotonic() - started < TIMEOUT_SECONDS
        cut_off = False
        while time.monotonic() - started < TIMEOUT_SECONDS + 5:
            try:
                slow.sendall(b"X")
            except OSError:
                cut_off = True
                break
            slow.settimeout(TIMEOUT_SECONDS / 4)
            try:
                if slow.recv(1024) == b"":
                    cut_off = True
                    break
            except socket.timeout:
                pass
    finally:
        slow.close()
    assert cut_off, "the trickling client kept its connection"
    assert time.monotonic() - started < TIMEOUT_SECONDS + 2
