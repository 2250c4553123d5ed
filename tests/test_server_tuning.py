"""The Rasa server's memory release attaches to the channel's blueprint."""

from __future__ import annotations

from sanic import Blueprint

from rasa_extensions import server_tuning


def test_attach_adds_a_listener_after_the_model_is_loaded():
    blueprint = Blueprint("tuning_test")

    server_tuning.attach(blueprint)

    events = [future.event for future in blueprint._future_listeners]
    assert "after_server_start" in events


def test_freed_memory_is_released_on_glibc():
    assert server_tuning.release_freed_memory() is True
