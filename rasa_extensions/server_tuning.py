"""Memory release and garbage collection for the Rasa server process, attached
to its input channel.

Once the model is loaded, the memory freed while loading it goes back to the
system: glibc keeps freed pages unless asked to release them. Then the objects
alive at that point (the model, Rasa, TensorFlow and spaCy: some 600,000 of
them) are moved out of the garbage collector's reach with `gc.freeze()`: they
live as long as the server, and each full collection walked them all, a pause
of about 400 ms every few hundred messages under load. Collections still free
what messages leave behind. A model replaced later through Rasa's HTTP API
(off unless RASA_API_TOKEN is set) is freed by reference counting only.

`rasa_extensions.attach_to_server` calls `attach(blueprint)`; its listener runs in
the Rasa server only, after Rasa has loaded the model (Rasa loads it before the
server starts). The other tuning (graph runner, action-reply validator) is
process-wide: `rasa_extensions.activate()`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)


def release_freed_memory() -> bool:
    """Returns freed heap memory to the system with glibc's malloc_trim.
    False where there is no glibc."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True


def freeze_loaded_objects() -> int:
    """Leaves every object tracked now out of later collections; returns how
    many. Call it after a collection, so that no garbage is kept."""
    gc.freeze()
    return gc.get_freeze_count()


async def _after_model_loaded(app: Any, loop: Any) -> None:
    if not release_freed_memory():
        logger.debug("No glibc: the memory freed while loading the model stays with the process.")
    freeze_loaded_objects()  # release_freed_memory has just collected


def attach(blueprint: Any) -> None:
    """Releases freed memory and freezes the loaded objects once the Rasa server
    that registers `blueprint` has its model."""
    blueprint.listener("after_server_start")(_after_model_loaded)
