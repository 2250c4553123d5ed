"""The sequential graph runner gives what Rasa's dask runner gives."""

from __future__ import annotations

from typing import Any, Dict, List, Text

import pytest
import rasa.core.processor
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

import rasa_extensions
from rasa_extensions.graph_runner import SequentialGraphRunner, dependency_order
from tests.test_crisis_detection import model_path

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


@pytest.mark.parametrize(
    "targets", [["last"], ["last", "aside"], ["echo"], ["right", "first"], None]
)
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


@pytest.mark.model
async def test_the_activated_server_runs_its_model_with_it(monkeypatch):
    """A real Agent on the trained model: after activate() every graph run, for the
    NLU and for the policies, goes through SequentialGraphRunner.run."""
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(rasa_extensions, "_active", False)
    rasa_extensions.activate()
    runs: List[Any] = []
    run = SequentialGraphRunner.run

    def counted_run(self: SequentialGraphRunner, *args: Any, **kwargs: Any) -> Dict[Text, Any]:
        runs.append(kwargs.get("targets"))
        return run(self, *args, **kwargs)

    monkeypatch.setattr(SequentialGraphRunner, "run", counted_run)
    agent = Agent.load(str(model_path()))

    parsed = await agent.parse_message("can we be friends after therapy ended")
    prediction = await agent.processor.predict_next_for_sender_id("graph-runner-test")

    assert type(agent.processor.graph_runner) is SequentialGraphRunner
    assert parsed["intent"]["name"] and prediction is not None
    assert len(runs) >= 2  # the NLU's run and the policies' run
