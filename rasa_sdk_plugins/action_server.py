"""The action server's hardening, applied to rasa-sdk 3.6's Sanic app before it serves.

- Bad request heads get 400/413 before the body is read, and the body is capped
  (rasa_extensions.http_guard).
- rasa-sdk 3.6's exception handler answers an error in an action with a 500 whose body
  holds the whole request (the conversation), and logs the request; Rasa then logs that
  body. `answer_failure` replaces it: it logs the exception's type and traceback frames
  only, and answers with a body that holds nothing of the conversation.

rasa-sdk calls `attach_sanic_app_extensions(app)` of the package `rasa_sdk_plugins`
(rasa_sdk/plugin.py) between building its app and running it, for `python -m rasa_sdk`
and `rasa run actions` alike; the project's rasa_sdk_plugins calls `harden`.
"""

from __future__ import annotations

import logging
import traceback

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_extensions import http_guard

logger = logging.getLogger(__name__)

# Rasa sends the tracker (bounded by rasa_extensions.bounded_history) with each action call.
MAX_BODY_BYTES = 8_000_000
FAILURE_BODY = {"error": "the action failed; see the action server's log"}


async def answer_failure(request: Request, exception: BaseException) -> HTTPResponse:
    """Sanic exception handler: no request content in the reply or the log."""
    if isinstance(exception, SanicException):
        # Sanic's own errors (404, 405, 400, 413): their messages never quote the body.
        return response.json({"error": str(exception)}, status=exception.status_code)
    frames = "".join(traceback.format_tb(exception.__traceback__))
    logger.error(
        "%s in %s %s (message left out: it may quote the conversation)\n%s",
        type(exception).__name__,
        request.method,
        request.path,
        frames,
    )
    return response.json(FAILURE_BODY, status=500)


def harden(app: Sanic) -> None:
    """Applies the hardening to rasa-sdk's app; call before the server starts."""
    http_guard.install(app)
    http_guard.limit_body(app, MAX_BODY_BYTES)
    # Replaces rasa-sdk's handler for Exception (rasa_sdk/endpoint.py, create_app).
    app.exception(Exception)(answer_failure)
