"""rasa-sdk's plugin package: rasa-sdk 3.6 imports `rasa_sdk_plugins` and calls `init_hooks`.

Its only hook hardens the action server's Sanic app (rasa_sdk_plugins.action_server) before it
serves, for `python -m rasa_sdk` and `rasa run actions` alike. The project root must be
on the import path, as it is for the actions package itself.
"""

from __future__ import annotations

import pluggy
from sanic import Sanic

hookimpl = pluggy.HookimplMarker("rasa_sdk")


class ActionServerHardening:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        from rasa_sdk_plugins.action_server import harden

        harden(app)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(ActionServerHardening())
