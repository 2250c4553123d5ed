"""The sequential graph runner gives what Rasa's dask runner gives."""
from __future__ import annotations

from typing import Any, Dict, List, Text

import pytest
import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from rasa_extensions import graph_runner
from rasa_extensions.graph_runner import SequentialGraphRunner, dependency_order

CALLS: List[Text] = []


class Join(GraphComponent):
    """Joins what it is given into a string, and notes that it ran."""

    def __init__(self, name: Text) -> None:
        self.name = name

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage, resource, execution_context) -> "Join":
        return cls(resource.name)

    def join(self, **given: Any) -> Text:
        CALLS.append(self.name)
        parts = ", ".join(f"{key}={given[key]}" for key in sorted(given))
        return f"{self.name}({parts})"


def node(**needs: Text) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Join, constructor_name="create", fn="join", config={})


# A diamond (first feeds left and right, both feed last), a node off to the
# side, and a target that needs an input of the run directly.
SCHEMA = GraphSchema(
    {
        "first": node(text="message"),
        "left": node(a="first"),
        "right": node(b="first", c="message"),
        "last": node(x="left", y="right"),
        "aside": node(z="message"),
        "echo": node(t="tracker"),
    }
)
INPUTS = {"message": "hello", "tracker": "t-1"}


@pytest.fixture
def runners(tmp_path):
    def make(cls):
        return cls(SCHEMA, LocalModelStorage(tmp_path), ExecutionContext(SCHEMA))

    return make(DaskGraphRunner), make(SequentialGraphRunner)


@pytest.mark.parametrize("targets", [["last"], ["last", "aside"], ["echo"], ["right", "first"], None])
def test_gives_what_the_dask_runner_gives(runners, targets):
    dask_runner, sequential = runners
    CALLS.clear()
    expected = dask_runner.run(inputs=INPUTS, targets=targets)
    dask_calls = sorted(CALLS)
    CALLS.clear()
    assert sequential.run(inputs=INPUTS, targets=targets) == expected
    assert sorted(CALLS) == dask_calls  # the same nodes, each once


def test_runs_each_node_after_what_it_needs():
    order = [name for name, _ in dependency_order(SCHEMA, ["last", "aside"])]
    assert order.index("first") < order.index("left") < order.index("last")
    assert order.index("right") < order.index("last")
    assert set(order) == {"first", "left", "right", "last", "aside"}
    assert dict(dependency_order(SCHEMA, ["right"]))["right"] == ("first", "message")


def test_a_missing_input_is_a_graph_error(runners):
    with pytest.raises(GraphRunError):
        runners[1].run(inputs={"message": "hello"}, targets=["echo"])


def test_an_input_named_like_a_node_is_refused(runners):
    with pytest.raises(GraphRunError):
        runners[1].run(inputs={"message": "first"}, targets=["first"])


def test_install_makes_the_server_load_models_with_it(monkeypatch):
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
    graph_runner.install()
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
