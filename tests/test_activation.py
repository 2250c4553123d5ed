"""The project's changes to Rasa are switched on by one explicit call, on the pinned
Rasa only, and importing the project's code changes nothing."""

from __future__ import annotations

import ast
import logging
import re
import subprocess
import sys

import pytest
import rasa.core.processor
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner

import rasa_extensions
from rasa_extensions import action_validation
from rasa_extensions.channel import ValidatingRestInput
from rasa_extensions.graph_runner import SequentialGraphRunner
from tests.conftest import PROJECT_ROOT

RASA_PIN = re.compile(r"^rasa==(\S+)$", re.MULTILINE)


@pytest.fixture
def rasa_as_installed(monkeypatch):
    """Rasa's own runner and validator, and no activation yet (restored afterwards)."""
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(rasa_extensions, "_active", False)


def test_the_pinned_version_is_the_one_requirements_txt_pins():
    [pinned] = RASA_PIN.findall((PROJECT_ROOT / "requirements.txt").read_text())
    assert rasa_extensions.PINNED_RASA_VERSION == pinned


def test_the_installed_rasa_is_the_pinned_one():
    assert rasa_extensions.installed_rasa_version() == rasa_extensions.PINNED_RASA_VERSION


def test_another_rasa_version_is_refused(rasa_as_installed, monkeypatch):
    monkeypatch.setattr(rasa_extensions, "installed_rasa_version", lambda: "3.7.0")
    with pytest.raises(RuntimeError, match=r"Rasa 3\.7\.0 is installed.*written for Rasa 3\.6\.21"):
        rasa_extensions.activate()
    assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner
    assert RemoteAction._validate_action_result is not action_validation._validate_action_result


def test_activate_switches_both_on_once_and_says_so(rasa_as_installed, caplog):
    with caplog.at_level(logging.INFO, logger="rasa_extensions"):
        rasa_extensions.activate()
        rasa_extensions.activate()
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
    assert RemoteAction._validate_action_result is action_validation._validate_action_result
    [line] = [r.getMessage() for r in caplog.records if r.name == "rasa_extensions"]
    assert "sequential graph runner" in line and "action-reply validator" in line


def test_the_channel_named_in_credentials_activates(rasa_as_installed):
    ValidatingRestInput.from_credentials({"max_message_chars": 500})
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner


IMPORT_EVERYTHING = """
import importlib, pkgutil
import rasa.core.processor
from rasa.core.actions.action import RemoteAction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyNLP
from sanic import Sanic
before = (rasa.core.processor.DaskGraphRunner, RemoteAction.__dict__["_validate_action_result"],
          SpacyNLP.__dict__["load_model"], dict(vars(Sanic)))
import rasa_extensions, rasa_extensions.nlu, rasa_sdk_plugins, operations, project, actions
for package in (rasa_extensions, rasa_extensions.nlu, operations, project):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(package.__name__ + "." + module.name)
import rasa_sdk_plugins.action_server
after = (rasa.core.processor.DaskGraphRunner, RemoteAction.__dict__["_validate_action_result"],
         SpacyNLP.__dict__["load_model"], dict(vars(Sanic)))
assert before == after, "an import changed Rasa or Sanic"
print("unchanged")
"""


def test_importing_the_project_changes_nothing_of_rasa_or_sanic():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.strip().endswith("unchanged"), done.stderr[-2000:]


def calls_activate(path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "activate"
        for node in ast.walk(tree)
    )


def test_activate_is_called_from_one_place_only():
    packages = (
        "actions",
        "bench",
        "evaluation",
        "operations",
        "project",
        "rasa_extensions",
        "rasa_sdk_plugins",
        "scripts",
        "web",
    )
    callers = [
        str(path.relative_to(PROJECT_ROOT))
        for package in packages
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if calls_activate(path)
    ]
    assert callers == ["rasa_extensions/channel.py"]
