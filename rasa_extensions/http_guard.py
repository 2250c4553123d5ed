"""Refuses malformed or oversized HTTP requests from their head, before the body is read.

Sanic 21.12 (the version Rasa 3.6 pins) parses the request head in
`sanic.http.Http.http1_request_header` and then trusts what it found:

- `Content-Length: -1` sends its body loop spinning forever, deaf to SIGTERM;
- a request with both Content-Length and Transfer-Encoding is accepted (request smuggling);
- Content-Length is read with Python's int(), so `1_0`, `+5`, `\\x0c5` pass, and of two
  Content-Length headers one is picked;
- `Transfer-Encoding: Chunked` (anything but lower case) ends in a 500;
- a body of up to REQUEST_MAX_SIZE (100 MB by default) is buffered before any handler runs.

In 21.12 that method dispatches the `http.lifecycle.request` signal after it has built the
Request and before it looks at Content-Length or Transfer-Encoding. `check_head` handles that
signal: what it raises is answered (400 or 413) and the connection closed, without reading
the body. No Sanic method is replaced; tests/test_http_guard.py fails if Sanic moves the
dispatch or changes its version.

Both servers install it explicitly: the Rasa server from its REST channel
(rasa_extensions.channel), the action server from the rasa-sdk plugin hook
(rasa_sdk_plugins.action_server).
"""

from __future__ import annotations

import re
from typing import Any, List

import sanic
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

SANIC_VERSION_RELIED_ON = "21.12."
REQUEST_SIGNAL = "http.lifecycle.request"

# RFC 9110 token: what a header name may be. Sanic accepts "Content-Length " (with the
# space) as another header, which a proxy in front may read as the real one.
HEADER_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Field values: visible characters, spaces and tabs; never CR, LF, NUL or other controls.
HEADER_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
# What every client sends: one optional space, then decimal digits, nothing else.
CONTENT_LENGTH = re.compile(rb" ?([0-9]{1,19})")


def require_sanic_21_12() -> None:
    """The checks rely on where Sanic 21.12 dispatches its request signal."""
    if not sanic.__version__.startswith(SANIC_VERSION_RELIED_ON):
        raise RuntimeError(
            f"rasa_extensions.http_guard was written for Sanic {SANIC_VERSION_RELIED_ON}x, "
            f"this is {sanic.__version__}: check that http.lifecycle.request is still "
            "dispatched before the body is read (tests/test_http_guard.py)"
        )


def header_lines(head: bytes) -> List[tuple]:
    """(lower-case name, raw value) of each header line of a request head."""
    lines = []
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not HEADER_NAME.fullmatch(name) or not HEADER_VALUE.fullmatch(value):
            raise InvalidUsage("Bad Request: malformed header line")
        lines.append((name.lower(), value))
    return lines


def check_head(request: Request, **_: Any) -> None:
    """Handler of Sanic's `http.lifecycle.request` signal: raises on a bad request head."""
    lines = header_lines(request.head)
    lengths = [value for name, value in lines if name == b"content-length"]
    encodings = [value for name, value in lines if name == b"transfer-encoding"]
    if lengths and encodings:
        raise InvalidUsage("Bad Request: both Content-Length and Transfer-Encoding")
    if len(lengths) > 1 or len(encodings) > 1:
        raise InvalidUsage("Bad Request: a repeated Content-Length or Transfer-Encoding header")
    if encodings:
        if encodings[0].strip(b" \t").lower() != b"chunked":
            raise InvalidUsage("Bad Request: only Transfer-Encoding: chunked is supported")
        # Sanic compares with "chunked" exactly; any other case would end in a 500.
        request.headers["transfer-encoding"] = "chunked"
    if lengths:
        digits = CONTENT_LENGTH.fullmatch(lengths[0])
        if not digits:
            raise InvalidUsage("Bad Request: Content-Length must be a decimal number")
        if int(digits.group(1)) > request.app.config.REQUEST_MAX_SIZE:
            raise PayloadTooLarge("Request body exceeds the size limit")


def install(app_or_blueprint: Any) -> None:
    """Registers `check_head` on a Sanic app or blueprint; call before the server starts."""
    require_sanic_21_12()
    app_or_blueprint.signal(REQUEST_SIGNAL)(check_head)


def limit_body(app: Any, max_bytes: int) -> None:
    """Caps the body Sanic buffers (its default is 100 MB); chunked bodies included.

    Sanic reads REQUEST_MAX_SIZE for each new connection, so this may run as late as
    a `before_server_start` listener.
    """
    app.config.REQUEST_MAX_SIZE = max_bytes
