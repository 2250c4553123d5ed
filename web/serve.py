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
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import urlsplit

WEB_ROOT = Path(__file__).resolve().parent
DEFAULT_RASA_URL = "http://localhost:5005"


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


class WebHandler(SimpleHTTPRequestHandler):
    rasa_url = DEFAULT_RASA_URL
    quiet = False
    cache_control = "no-cache"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.cache_control = "no-cache"
        if urlsplit(self.path).path == "/config.js":
            self.send_config()
        elif self.is_hidden(urlsplit(self.path).path):
            self.send_error(HTTPStatus.NOT_FOUND)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        self.cache_control = "no-cache"
        if self.is_hidden(urlsplit(self.path).path):
            self.send_error(HTTPStatus.NOT_FOUND)
        else:
            super().do_HEAD()

    @staticmethod
    def is_hidden(path: str) -> bool:
        """The server's own source and dotfiles are not part of the site."""
        name = path.rstrip("/").rsplit("/", 1)[-1]
        return name.startswith(".") or name.endswith((".py", ".pyc")) or "__pycache__" in path

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


def make_server(port: int, rasa_url: str, host: str = "127.0.0.1", quiet: bool = False):
    """A ready ThreadingHTTPServer; the caller runs serve_forever()."""
    handler = type(
        "ConfiguredWebHandler", (WebHandler,), {"rasa_url": rasa_url, "quiet": quiet}
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
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    server = make_server(args.port, args.rasa_url.rstrip("/"), quiet=args.quiet)
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
