"""The REST channel, with every request checked before Rasa sees it.

Same URL and replies as Rasa's `rest` channel (POST /webhooks/rest/webhook),
but Rasa's own channel answers an empty or non-JSON body with a 500, passes any
`metadata` into the stored conversation, and logs the message text when
handling fails. This one:

- answers a malformed request with 400 and {"error": ...}, and a body that is not
  `Content-Type: application/json` with 415 (so a plain form post from any web page
  is not processed);
- removes control characters and keeps HTML as plain text;
- lets only the assistant's own button payloads use Rasa's "/intent" syntax
  (rasa_extensions.button_payloads), so no message skips the crisis detector;
- keeps only a known `metadata.role` and a well-formed `metadata.feedback` vote
  (rasa_extensions.feedback); anything else is dropped;
- answers an over-long message at once, without the NLU, asking for a shorter
  question and giving the crisis lines of the clinic's regions (someone in crisis may
  write at length), worded in knowledge/safety_replies.yml;
- never logs what people write;
- switches on the project's process-wide changes to Rasa (`rasa_extensions.activate()`,
  from `from_credentials`: Rasa 3.6 gives `rasa run` no other hook);
- hardens the Rasa server's HTTP handling (`rasa_extensions.attach_to_server`): bad
  request heads refused before the body is read, the body capped, `GET /` without
  Rasa's version, memory released once the model is loaded.

Named in credentials.yml as `rasa_extensions.channel.ValidatingRestInput`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import rasa_extensions
from project import clinic as clinic_settings
from project import help_lines, settings
from project.clinic import CLINIC_DIR
from project.yaml_files import ConfigFileError
from rasa_extensions import conversation_ids
from rasa_extensions.button_payloads import as_user_text
from rasa_extensions.feedback import clean_feedback
from rasa_extensions.lock_store import LocksNotShared, check_locks_are_shared
from rasa_extensions.tracker_store import report_store_in_use

logger = logging.getLogger(__name__)

ROLES = ("client", "therapist")
MAX_SENDER_CHARS = conversation_ids.MAX_CHARS
# A generous bound on the raw body, also the most Sanic buffers (rasa_extensions.rasa_server);
# the character limit on messages is separate.
MAX_BODY_BYTES = 1_000_000
SAFETY_FILE = settings.PROJECT_ROOT / "knowledge" / "safety_replies.yml"
# The wording is safety_replies.yml's `too_long`; these are said only when that file or
# clinic.yml cannot be read, since an over-long message still needs an answer and a crisis line.
FALLBACK_TOO_LONG = (
    "That message is longer than I can read at once. Could you ask your question "
    "in a sentence or two (under {max_chars} characters)?"
)
FALLBACK_CRISIS_LINE = (
    "If you are in crisis or thinking of harming yourself, call or text 988 in the US, "
    "call Samaritans on 116 123 in the UK and Ireland, or your local emergency number."
)
# Line breaks and tabs are ordinary whitespace; every other control character goes.
KEPT_CONTROLS = {"\n", "\t"}


class BadRequest(ValueError):
    """A request the channel refuses, with the reason given to the caller."""


class UnsupportedMediaType(BadRequest):
    """A body that is not declared as JSON (answered with 415)."""


@dataclass(frozen=True)
class Incoming:
    sender: str
    text: str
    metadata: Dict[str, Any]
    too_long: bool


def clean_text(text: str) -> str:
    """The text without control characters or lone surrogates; HTML stays as written."""
    return "".join(
        char
        for char in text
        if char in KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
    ).strip()


def check_content_type(values: List[str]) -> None:
    """One `Content-Type: application/json`, with at most a UTF-8 charset.

    Browsers send a cross-site form or a no-preflight fetch only as form data or
    text/plain; requiring JSON keeps such posts from any web page out.
    """
    if len(values) != 1:
        raise UnsupportedMediaType("send the body as Content-Type: application/json")
    media_type, *parameters = values[0].split(";")
    if media_type.strip().lower() != "application/json":
        raise UnsupportedMediaType("send the body as Content-Type: application/json")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            raise UnsupportedMediaType("the JSON body must be UTF-8 (charset=utf-8 or none)")


def parse_body(body: Optional[bytes]) -> Dict[str, Any]:
    if not body or not body.strip():
        raise BadRequest("the request body is empty; send JSON with sender and message")
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("the request body is too large")
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the request body is not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object")
    return payload


def parse_sender(value: Any) -> str:
    """The conversation id, if it fits rasa_extensions.conversation_ids' rule."""
    reason = conversation_ids.problem(value)
    if reason:
        raise BadRequest(f"sender {reason}")
    return value


def parse_metadata(value: Any) -> Dict[str, Any]:
    """Only the reader's role and a feedback vote are kept: anything else would be stored
    unasked."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("metadata must be a JSON object")
    kept: Dict[str, Any] = {}
    role = value.get("role")
    if isinstance(role, str) and role.strip().lower() in ROLES:
        kept["role"] = role.strip().lower()
    feedback = clean_feedback(value.get("feedback"))
    if feedback:
        kept["feedback"] = feedback  # the widget's "Was this helpful?" (rasa_extensions.feedback)
    return kept


def parse_request(body: Optional[bytes], max_chars: int) -> Incoming:
    """Checks a webhook request; raises BadRequest with the reason."""
    payload = parse_body(body)
    sender = parse_sender(payload.get("sender"))
    message = payload.get("message")
    if not isinstance(message, str):
        raise BadRequest("message must be a string")
    text = as_user_text(clean_text(message))
    if not text:
        raise BadRequest("message is empty")
    return Incoming(
        sender=sender,
        text=text,
        metadata=parse_metadata(payload.get("metadata")),
        too_long=len(text) > max_chars,
    )


@lru_cache(maxsize=4)
def too_long_wording(
    role: Optional[str], safety_file: Path = SAFETY_FILE, clinic_dir: Path = CLINIC_DIR
) -> Tuple[str, str]:
    """(request for a shorter question, crisis lines) in the reader's words.

    From safety_replies.yml `too_long`, with the crisis lines of the clinic's regions
    (clinic.yml) worded as every crisis reply words them; the fallbacks only when either
    file cannot be read.
    """
    reader = role if role in ROLES else "any"
    try:
        replies = yaml.safe_load(safety_file.read_text(encoding="utf-8"))
        ask = " ".join(replies["too_long"]["ask"][reader].split())
        intro = " ".join(replies["too_long"]["crisis_intro"][reader].split())
        lines = help_lines.resources_text(
            replies["resource_lines"], intro, clinic_settings.load(clinic_dir).crisis()
        )
        elsewhere = " ".join(replies["crisis"]["elsewhere"].split())
    except (OSError, yaml.YAMLError, ConfigFileError, KeyError, TypeError, AttributeError) as error:
        logger.error("The over-long reply's wording could not be read (%s).", type(error).__name__)
        return FALLBACK_TOO_LONG, FALLBACK_CRISIS_LINE
    return ask, f"{lines}\n{elsewhere}"


def too_long_reply(incoming: Incoming, max_chars: int) -> List[Dict[str, Any]]:
    """The contract's reply to an over-long message: text, crisis lines, custom object."""
    text, crisis_lines = too_long_wording(incoming.metadata.get("role"))
    text = text.replace("{max_chars}", str(max_chars))
    messages: List[Dict[str, Any]] = [
        {"recipient_id": incoming.sender, "text": text},
        {"recipient_id": incoming.sender, "text": crisis_lines},
    ]
    messages.append(
        {"recipient_id": incoming.sender, "custom": {"kind": "clarify", "reason": "too_long"}}
    )
    return messages


def log_failure(what: str, error: BaseException) -> None:
    """Logs where handling failed, without the exception's message (it may quote the text)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s: %s\n%s", what, type(error).__name__, frames)


class ValidatingRestInput(RestInput):
    """Rasa's REST channel behind request checks; still named "rest"."""

    def __init__(self, max_message_chars: Optional[int] = None) -> None:
        self.max_message_chars = settings.max_message_chars(max_message_chars)

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ValidatingRestInput":
        # The one call that switches on the project's process-wide changes to Rasa
        # (rasa_extensions/__init__.py): the first project code `rasa run` loads.
        rasa_extensions.activate()
        return cls((credentials or {}).get("max_message_chars"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        rasa_extensions.attach_to_server(webhook, MAX_BODY_BYTES)

        @webhook.listener("after_server_start")
        async def check_tracker_store(app: Any, _loop: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent is not None:
                report_store_in_use(agent.tracker_store)
                try:
                    check_locks_are_shared(agent.tracker_store, agent.lock_store)
                except LocksNotShared as refused:
                    # Raised from a start listener, it ends `rasa run` (Sanic 21.12).
                    logger.error("Refusing to start: %s", refused)
                    raise

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                check_content_type(request.headers.getall("content-type", []))
            except UnsupportedMediaType as error:
                return response.json({"error": str(error)}, status=415)
            try:
                incoming = parse_request(request.body, self.max_message_chars)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            if incoming.too_long:
                return response.json(too_long_reply(incoming, self.max_message_chars))

            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        incoming.text,
                        collector,
                        incoming.sender,
                        input_channel=self.name(),
                        metadata=incoming.metadata,
                    )
                )
            except asyncio.CancelledError:
                logger.error("REST message handling was cancelled (timeout).")
            except Exception as error:  # the reply so far is still sent
                log_failure("REST message handling failed", error)
            return response.json(collector.messages)

        return webhook
