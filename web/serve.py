"""Serves the clinic's page and the therapists' page beside the Rasa server.

    python web/serve.py [PORT] [--rasa-url http://localhost:5005]

Serves this folder at / on 127.0.0.1 (default port 8080) and generates /config.js from
the arguments, so the pages find the Rasa server without being edited when its port
changes. Standard library only.
"""
from __future__ import annotations

import argparse
import functools
import json
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
    cache_control = "no-cache"
    # StreamRequestHandler sets this on the socket: a read or write idle this long ends the
    # connection.
    timeout = DEFAULT_TIMEOUT_SECONDS

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.cache_control = "no-cache"
        if self.refused():
            return
        if urlsplit(self.path).path == "/config.js":
            self.send_config()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        self.cache_control = "no-cache"
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

    def list_directory(self, path):  # no directory listings, only pages with index.html
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy(self.rasa_url))
        self.send_header("X-Content-Type-Options", "nosniff")
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
):
    """A ready ThreadingHTTPServer; the caller runs serve_forever()."""
    handler = type(
        "ConfiguredWebHandler",
        (WebHandler,),
        {"rasa_url": rasa_url, "quiet": quiet, "timeout": timeout},
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
