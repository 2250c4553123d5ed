"""The Rasa server's tuning attaches to the channel's blueprint."""
from __future__ import annotations

from rasa.core.actions.action import RemoteAction
from sanic import Blueprint

from rasa_extensions import action_validation, server_tuning


def test_attach_installs_the_validator_and_a_listener(monkeypatch):
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    blueprint = Blueprint("tuning_test")

    server_tuning.attach(blueprint)

    assert RemoteAction._validate_action_result is action_validation._validate_action_result
    events = [future.event for future in blueprint._future_listeners]
    assert "after_server_start" in events


def test_freed_memory_is_released_on_glibc():
    assert server_tuning.release_freed_memory() is True
