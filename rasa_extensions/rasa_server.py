"""The Rasa server's hardening, applied from the REST channel's blueprint.

`rasa run` gives the project one hook into its Sanic 21.12 app: the input channel's
blueprint, registered before the server starts. `harden(blueprint, max_body_bytes)`:

- registers rasa_extensions.http_guard's check of the request head (400/413 before the body
  is read) as a blueprint signal, which Sanic also dispatches for every other route;
- caps the body Sanic buffers (its default is 100 MB) once the server has its app;
- makes `GET /` answer {"status": "ok"} instead of Rasa's "Hello from Rasa: <version>"
  (rasa/server.py `add_root_route`), with a request middleware: the route is Rasa's and
  the app's routes are fixed by the time a blueprint listener runs.
"""

from __future__ import annotations

from typing import Any, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_extensions import http_guard

ROOT_REPLY = {"status": "ok"}


async def neutral_root(request: Request) -> Optional[HTTPResponse]:
    """Request middleware: answers `GET /` without naming the software or its version."""
    if request.path == "/" and request.method == "GET":
        return response.json(ROOT_REPLY)
    return None


def harden(blueprint: Blueprint, max_body_bytes: int) -> None:
    """Applies the hardening to the Rasa server that registers `blueprint`."""
    http_guard.install(blueprint)

    @blueprint.listener("before_server_start")
    async def harden_app(app: Any, _loop: Any) -> None:
        http_guard.limit_body(app, max_body_bytes)
        app.register_middleware(neutral_root, "request")
