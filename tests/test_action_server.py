"""rasa-sdk finds the project's plugin and hardens its app with it."""

from __future__ import annotations

import inspect

from rasa_sdk import endpoint
from rasa_sdk.plugin import plugin_manager

from rasa_extensions import http_guard
from rasa_sdk_plugins import action_server


def test_rasa_sdk_calls_the_plugin_hook_between_building_and_running_its_app():
    source = inspect.getsource(endpoint.run)
    assert (
        source.index("create_app(")
        < source.index("attach_sanic_app_extensions")
        < source.index("app.run(")
    )


def test_the_plugin_hardens_rasa_sdks_app():
    app = endpoint.create_app("actions")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    assert app.error_handler.lookup(ValueError("x"), None) is action_server.answer_failure
    assert app.config.REQUEST_MAX_SIZE == action_server.MAX_BODY_BYTES
    handlers = [route.handler for route in app.signal_router.routes]
    assert http_guard.check_head in handlers
