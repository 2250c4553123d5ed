"""rasa_extensions.http_guard relies on Sanic 21.12 internals: these fail loudly if they change.

The refusals themselves are shown on the real servers in
tests/integration/test_http_hardening.py.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
import sanic
from sanic.compat import Header
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.http import Http

from rasa_extensions import http_guard


def test_sanic_is_the_version_the_guard_was_written_for():
    assert sanic.__version__.startswith(http_guard.SANIC_VERSION_RELIED_ON)
    http_guard.require_sanic_21_12()


def test_sanic_dispatches_the_request_signal_before_it_reads_the_body_framing():
    # Http.http1_request_header builds the Request, dispatches http.lifecycle.request,
    # then reads Transfer-Encoding/Content-Length. Sanic's TouchUp rewrites the method
    # at start-up; the original is what the class holds before any server has started.
    method = getattr(Http, "_http1_request_header", Http.http1_request_header)
    source = inspect.getsource(method)
    assert list(inspect.signature(method).parameters) == ["self"]
    signal = source.index(f'"{http_guard.REQUEST_SIGNAL}"')
    assert signal < source.index('headers.getone("transfer-encoding", None) == "chunked"')
    assert signal < source.index('int(\n                    headers["content-length"]')
    assert 'context={"request": request}' in source[signal - 200 : signal + 200]


def request_with(*lines: str, max_size: int = 1000) -> SimpleNamespace:
    head = "\r\n".join(("POST /webhook HTTP/1.1", "Host: x", *lines)).encode()
    headers = Header(
        [(n.strip().lower(), v.lstrip()) for n, v in (line.split(":", 1) for line in lines)]
    )
    app = SimpleNamespace(config=SimpleNamespace(REQUEST_MAX_SIZE=max_size))
    return SimpleNamespace(head=head, headers=headers, app=app)


@pytest.mark.parametrize(
    "lines",
    [
        ("Content-Length: 5",),
        ("Content-Length:5",),
        ("Transfer-Encoding: chunked",),
        (),
        ("Content-Length: 1000",),
        ("Content-Type: application/json; charset=utf-8", "Content-Length: 0"),
    ],
)
def test_well_formed_heads_pass(lines):
    http_guard.check_head(request_with(*lines))


@pytest.mark.parametrize(
    "lines",
    [
        ("Content-Length: -1",),
        ("Content-Length: 1_0",),
        ("Content-Length: +5",),
        ("Content-Length:  5",),
        ("Content-Length: 5 ",),
        ("Content-Length: 0x5",),
        ("Content-Length: 5", "Content-Length: 5"),
        ("Content-Length: 5", "Transfer-Encoding: chunked"),
        ("Transfer-Encoding: gzip",),
        ("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
        ("Content-Length : 5",),
        (" Content-Length: 5",),
        ("X-Note: a\x00b",),
        ("X-Note: a\nb",),
    ],
)
def test_malformed_heads_get_400(lines):
    with pytest.raises(InvalidUsage):
        http_guard.check_head(request_with(*lines))


def test_a_declared_body_over_the_limit_gets_413():
    with pytest.raises(PayloadTooLarge):
        http_guard.check_head(request_with("Content-Length: 1001", max_size=1000))


def test_chunked_in_any_case_is_handed_to_sanic_in_lower_case():
    request = request_with("Transfer-Encoding: Chunked")
    http_guard.check_head(request)
    assert request.headers.getone("transfer-encoding") == "chunked"
