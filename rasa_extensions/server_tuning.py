"""Memory release for the Rasa server process, attached to its input channel.

Once the model is loaded, the memory freed while loading it goes back to the
system: glibc keeps freed pages unless asked to release them.

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


async def _after_model_loaded(app: Any, loop: Any) -> None:
    if not release_freed_memory():
        logger.debug("No glibc: the memory freed while loading the model stays with the process.")


def attach(blueprint: Any) -> None:
    """Releases freed memory once the Rasa server that registers `blueprint` has its model."""
    blueprint.listener("after_server_start")(_after_model_loaded)
