"""The Rasa server's memory release and frozen model attach to the channel's blueprint."""

from __future__ import annotations

import gc

from sanic import Blueprint

from rasa_extensions import server_tuning


def test_attach_adds_a_listener_after_the_model_is_loaded():
    blueprint = Blueprint("tuning_test")

    server_tuning.attach(blueprint)

    events = [future.event for future in blueprint._future_listeners]
    assert "after_server_start" in events


def test_freed_memory_is_released_on_glibc():
    assert server_tuning.release_freed_memory() is True


async def test_the_objects_alive_after_loading_are_left_out_of_collections():
    try:
        await server_tuning._after_model_loaded(None, None)
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        # What comes later is still collected.
        garbage = []
        garbage.append(garbage)
        del garbage
        assert gc.collect() >= 1
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
