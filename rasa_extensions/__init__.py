"""Code that runs inside the Rasa server, and every change it makes to what Rasa does.

Rasa loads these modules because the project's configuration names them; importing
any of them changes nothing. Each change below is explicit, and docs/upgrading.md
says which Rasa/Sanic internal it relies on and which test guards it.

Process-wide, switched on by `activate()` (below):

1. graph_runner: the Rasa server runs its model's graph with SequentialGraphRunner
   instead of dask (replaces the module global `rasa.core.processor.DaskGraphRunner`).
2. action_validation: the action server's replies are checked with a JSON Schema
   validator built once (replaces `RemoteAction._validate_action_result`).

On the Rasa server's Sanic app, through the REST channel's blueprint
(`attach_to_server`, called from channel.ValidatingRestInput.blueprint):

3. http_guard: bad request heads get 400/413 before the body is read (a handler of
   Sanic's `http.lifecycle.request` signal), and the body Sanic buffers is capped.
4. rasa_server: `GET /` answers {"status": "ok"}, not Rasa's name and version.
5. server_tuning: once the model is loaded, freed memory goes back to the system and the
   loaded objects are left out of garbage collections (`gc.freeze`).

Through Rasa's own extension points (named in the configuration, nothing replaced):

6. channel (credentials.yml): the REST channel checks and cleans every request,
   keeps "/intent" syntax to the assistant's buttons (button_payloads), checks
   conversation ids (conversation_ids) and never logs what people write.
7. tracker_store (endpoints.yml): SQL store that logs and retries failed saves,
   loads only recent turns (bounded_history), honours erasures (erasure) and
   tunes SQLite (sqlite_engine), with PostgreSQL time limits (postgres_timeouts).
   lock_store: an atomic Redis lock store whose tickets come from a counter and are
   renewed while their holder lives (it overrides LockStore.lock()); a server on
   PostgreSQL refuses to start without it.
8. nlu/ (config.yml): SpacyNLP loading its model once per process with the entity
   recogniser where config.yml says (it takes over the recipe's name `SpacyNLP`),
   DIET loaded without Rasa's one training step, the intent blend, the DATE
   extractor, the crisis detector, misconduct reports kept from the fallback
   (misconduct_first) and the "Was this helpful?" feedback intent.

The action server (rasa-sdk) is hardened separately, by rasa_sdk_plugins/.

`activate()` is called from exactly one place: ValidatingRestInput.from_credentials
(channel.py). Rasa 3.6 gives `rasa run` no plugin hook (rasa.plugin discovers only a
package named `rasa_plus`), so the channel named in credentials.yml is the first
project code Rasa loads, before it loads the model.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

# The Rasa version every change above was written and tested against; requirements.txt
# pins the same (tests/test_activation.py). Upgrading: docs/upgrading.md.
PINNED_RASA_VERSION = "3.6.21"
PROCESS_WIDE = ("sequential graph runner", "prebuilt action-reply validator")

_active = False


def installed_rasa_version() -> str:
    from rasa.version import __version__

    return __version__


def check_rasa_version(installed: str) -> None:
    """Refuses to change a Rasa other than the one these changes were written for."""
    if installed != PINNED_RASA_VERSION:
        raise RuntimeError(
            f"Rasa {installed} is installed, but the project's changes to Rasa "
            f"(rasa_extensions) were written for Rasa {PINNED_RASA_VERSION}, the version "
            "requirements.txt pins. They rely on Rasa's internals; install the pinned "
            "version, or follow docs/upgrading.md before changing the pin."
        )


def activate() -> None:
    """Switches on the process-wide changes (1 and 2 above) once; idempotent."""
    global _active
    if _active:
        return
    check_rasa_version(installed_rasa_version())
    from rasa_extensions import action_validation, graph_runner

    graph_runner.install()
    action_validation.install()
    _active = True
    logger.info(
        "Rasa %s with the project's extensions: %s.", PINNED_RASA_VERSION, ", ".join(PROCESS_WIDE)
    )


def attach_to_server(blueprint: Any, max_body_bytes: int) -> None:
    """Attaches changes 3-5 above to the Rasa server that registers `blueprint`."""
    from rasa_extensions import rasa_server, server_tuning

    rasa_server.harden(blueprint, max_body_bytes)
    server_tuning.attach(blueprint)
