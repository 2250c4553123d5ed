"""The insights report at /insights/ of web/serve.py: only with the configured token.

Runs the real script in a subprocess, with and without INSIGHTS_TOKEN, over HTTP.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

import pytest

SERVE = Path(__file__).resolve().parents[1] / "web" / "serve.py"
TOKEN = "s3cret-insights-token"
REPORT = "<!doctype html><title>report</title><p>holds no transcripts</p>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(report: Path, token: Optional[str]) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "INSIGHTS_TOKEN"}
    env["INSIGHTS_REPORT"] = str(report)
    if token is not None:
        env["INSIGHTS_TOKEN"] = token
    process = subprocess.Popen(
        [sys.executable, str(SERVE), str(port), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        assert b"Traceback" not in errors


def get(port: int, path: str, headers: Dict[str, str]) -> Tuple[int, Dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("insights") / "insights.html"
    path.write_text(REPORT)
    return path


def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"clinic:{password}".encode()).decode()


def test_without_a_configured_token_there_is_no_report(report):
    with serving(report, None) as port:
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
            status, _, body = get(port, "/insights/", headers)
            assert status == 404 and b"holds no transcripts" not in body


def test_the_report_needs_the_token(report):
    with serving(report, TOKEN) as port:
        status, headers, body = get(port, "/insights/", {})
        assert status == 401 and "Basic" in headers["WWW-Authenticate"]
        assert b"transcripts" not in body
        for wrong in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", basic("guess"), "Bearer "):
            status, _, body = get(port, "/insights/", {"Authorization": wrong})
            assert status == 403 and b"transcripts" not in body, wrong


def test_the_right_token_opens_it_privately(report):
    with serving(report, TOKEN) as port:
        for authorization in (f"Bearer {TOKEN}", basic(TOKEN)):
            status, headers, body = get(port, "/insights/", {"Authorization": authorization})
            assert (status, body.decode()) == (200, REPORT)
            assert headers["Cache-Control"] == "no-store"
            assert "script-src" not in headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
            assert "Access-Control-Allow-Origin" not in headers


def test_another_site_cannot_read_it_even_with_the_token(report):
    with serving(report, TOKEN) as port:
        status, _, body = get(
            port,
            "/insights/",
            {
                "Authorization": f"Bearer {TOKEN}",
                "Sec-Fetch-Site": "cross-site",
                "Origin": "http://localhost:5005",
            },
        )
        assert status == 403 and b"transcripts" not in body
