"""Serves the clinic's page and the therapists' page beside the Rasa server.

    python web/serve.py [PORT] [--rasa-url http://localhost:5005]

Serves this folder at / on 127.0.0.1 (default port 8080) and generates /config.js from
the arguments, so the pages find the Rasa server without being edited when its port
changes. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import functools
import hmac
import json
import os
import socket
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import unquote, urlsplit

WEB_ROOT = Path(__file__).resolve().parent
DEFAULT_RASA_URL = "http://localhost:5005"
# A connection idle this long is closed, and a request's line and headers must all arrive
# within it: a client that trickles them (slowloris) cannot hold a connection for longer.
DEFAULT_TIMEOUT_SECONDS = 10.0
# What the site never serves, wherever it is in a path: the server's own source and
# bytecode, and dotfiles and dot-folders.
HIDDEN_SUFFIXES = (".py", ".pyc")
HIDDEN_NAMES = ("__pycache__",)
# The insights report (python -m insights) is served at /insights/ only when
# INSIGHTS_TOKEN is set, to requests that carry it (docs/security.md).
INSIGHTS_PATHS = ("/insights", "/insights/")
INSIGHTS_TOKEN = "INSIGHTS_TOKEN"
INSIGHTS_REPORT = "INSIGHTS_REPORT"
DEFAULT_REPORT = WEB_ROOT.parent / "results" / "insights" / "insights.html"
# The report has no scripts and embeds its images; it may not be framed or fetched
# by another site.
REPORT_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def config_script(rasa_url: str) -> bytes:
    """The /config.js the pages load before the widget."""
    return f"window.BOUNDARIES_CHAT_SERVER = {json.dumps(rasa_url)};\n".encode()


def content_security_policy(rasa_url: str) -> str:
    """Only this server's files run, and the pages talk to nothing but the Rasa server."""
    parts = urlsplit(rasa_url)
    rasa_origin = f"{parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {rasa_origin}",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def presented_token(authorization: Optional[str]) -> Optional[str]:
    """The token in `Authorization: Bearer <token>`, or the password of HTTP Basic
    (so a browser can open the report: any user name, the token as password)."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


def insights_status(
    token: Optional[str], authorization: Optional[str], fetch_site: Optional[str]
) -> HTTPStatus:
    """Whether a request may read the report: 404 when no token is configured (the page
    does not exist), 401 without credentials, 403 with a wrong token or from another site."""
    if not token:
        return HTTPStatus.NOT_FOUND
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return HTTPStatus.FORBIDDEN  # a page of another origin, even with the browser's credentials
    presented = presented_token(authorization)
    if presented is None:
        return HTTPStatus.UNAUTHORIZED
    if not hmac.compare_digest(presented.encode("utf-8"), token.encode("utf-8")):
        return HTTPStatus.FORBIDDEN
    return HTTPStatus.OK


def has_control_characters(text: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def is_hidden_part(part: str) -> bool:
    return part.startswith(".") or part.endswith(HIDDEN_SUFFIXES) or part in HIDDEN_NAMES


def is_servable(root: Path, file_path: str) -> bool:
    """Whether the file a request resolved to is part of the site: inside `root`, both as
    named and once symbolic links are followed, and no part of its path hidden."""
    named = Path(file_path)
    for path in (named, named.resolve()):
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            return False
        if any(is_hidden_part(part) for part in parts):
            return False
    return True


class WebHandler(SimpleHTTPRequestHandler):
    rasa_url = DEFAULT_RASA_URL
    quiet = False
    insights_token: Optional[str] = None
    insights_report: Path = DEFAULT_REPORT
    csp: Optional[str] = None
    cache_control = "no-cache"
    # StreamRequestHandler sets this on the socket: a read or write idle this long ends the
    # connection.
    timeout = DEFAULT_TIMEOUT_SECONDS

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.cache_control = "no-cache"
        self.csp = None
        if urlsplit(self.path).path in INSIGHTS_PATHS:
            self.send_insights()
            return
        if self.refused():
            return
        if urlsplit(self.path).path == "/config.js":
            self.send_config()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        self.cache_control = "no-cache"
        self.csp = None
        if urlsplit(self.path).path in INSIGHTS_PATHS:
            self.send_error(
                HTTPStatus.NOT_FOUND if not self.insights_token else HTTPStatus.METHOD_NOT_ALLOWED
            )
            return
        if not self.refused():
            super().do_HEAD()

    def refused(self) -> bool:
        """Answers a request the site does not serve, and says so.

        Decided on the file the request resolves to, the way SimpleHTTPRequestHandler
        decodes it (percent-decoding once, dropping `.` and `..`), so no spelling of a path
        (`%2e`, `//`, `..%2f`, backslashes) reaches a hidden file. A path with a NUL or
        another control character, encoded or not, is malformed (a NUL made
        http.server raise instead of answering).
        """
        path = urlsplit(self.path).path
        if has_control_characters(path) or has_control_characters(unquote(path)):
            self.send_error(HTTPStatus.BAD_REQUEST, "Malformed path")
            return True
        if not is_servable(Path(self.directory), self.translate_path(self.path)):
            self.send_error(HTTPStatus.NOT_FOUND)
            return True
        return False

    def handle_one_request(self) -> None:
        # The socket timeout resets on every byte received, so it alone lets a client that
        # sends one byte at a time keep a connection (and its thread) forever. The request's
        # line and headers get a deadline of their own. Relies on http.server (Python 3.10)
        # reading both within handle_one_request, the headers inside parse_request.
        self.was_cut_off = False
        deadline = threading.Timer(self.timeout, self.cut_off)
        deadline.daemon = True
        self.head_deadline = deadline
        deadline.start()
        try:
            super().handle_one_request()
        except OSError:
            if not self.was_cut_off:
                raise
            self.close_connection = True  # answering a request cut short: the client is gone
        finally:
            deadline.cancel()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.head_deadline.cancel()  # the line and the headers are in
        return parsed

    def cut_off(self) -> None:
        """Ends a connection whose request is still incomplete at its deadline."""
        self.was_cut_off = True
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_config(self) -> None:
        body = config_script(self.rasa_url)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.cache_control = "no-store"
        self.end_headers()
        self.wfile.write(body)

    def send_insights(self) -> None:
        status = insights_status(
            self.insights_token,
            self.headers.get("Authorization"),
            self.headers.get("Sec-Fetch-Site"),
        )
        self.cache_control = "no-store"
        if status == HTTPStatus.OK:
            try:
                body = Path(self.insights_report).read_bytes()
            except OSError:
                self.send_error(HTTPStatus.NOT_FOUND, "No report yet: run make insights")
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.csp = REPORT_CSP
            self.end_headers()
            self.wfile.write(body)
            return
        if status == HTTPStatus.UNAUTHORIZED:
            self.send_response(status)
            self.send_header("WWW-Authenticate", 'Basic realm="insights", charset="UTF-8"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_error(status)

    def list_directory(self, path):  # no directory listings, only pages with index.html
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def end_headers(self) -> None:
        self.send_header(
            "Content-Security-Policy", self.csp or content_security_policy(self.rasa_url)
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.csp:
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Referrer-Policy", "no-referrer")
        # Pages revalidate, so a clinic's edit shows on the next load.
        self.send_header("Cache-Control", self.cache_control)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)


WebHandler.extensions_map = {
    **SimpleHTTPRequestHandler.extensions_map,
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}


def make_server(
    port: int,
    rasa_url: str,
    host: str = "127.0.0.1",
    quiet: bool = False,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    insights_token: Optional[str] = None,
    insights_report: Optional[Path] = None,
):
    """A ready ThreadingHTTPServer; the caller runs serve_forever().

    The insights report's token and file default to INSIGHTS_TOKEN and INSIGHTS_REPORT.
    """
    token = (
        insights_token if insights_token is not None else os.environ.get(INSIGHTS_TOKEN, "").strip()
    )
    report = insights_report or Path(os.environ.get(INSIGHTS_REPORT, "").strip() or DEFAULT_REPORT)
    handler = type(
        "ConfiguredWebHandler",
        (WebHandler,),
        {
            "rasa_url": rasa_url,
            "quiet": quiet,
            "timeout": timeout,
            "insights_token": token or None,
            "insights_report": report,
        },
    )
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(WEB_ROOT)))


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", nargs="?", type=int, default=8080, help="default 8080")
    parser.add_argument(
        "--rasa-url",
        default=DEFAULT_RASA_URL,
        help=f"where the browser reaches the Rasa server (default {DEFAULT_RASA_URL})",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log every request")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds a connection may stay idle, and a request take to arrive "
        f"(default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    server = make_server(
        args.port, args.rasa_url.rstrip("/"), quiet=args.quiet, timeout=args.timeout
    )
    print(
        f"Serving http://localhost:{args.port}/ and http://localhost:{args.port}/therapist/ "
        f"(Rasa server: {args.rasa_url})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
