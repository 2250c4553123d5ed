"""Runs the model's prediction graph in the Rasa server without dask.

Each message runs the graph three times: once to understand it, and once per
policy prediction. Rasa's DaskGraphRunner works out the targets' part of the
graph, builds a dask task graph and hands it to dask's scheduler on every run,
and first renders its inputs, the tracker or the message, into a debug log
line that is dropped unless the server runs with --debug. Together that was
about a tenth of the Rasa server's time per message.

`SequentialGraphRunner` calls the same nodes with the same inputs in an order
that respects their dependencies, with the order for each set of targets
worked out once. `install()` makes the Rasa server load its model with it;
training and `rasa test` keep Rasa's runner.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

# A node and the names of what it needs (other nodes or the run's inputs), in
# the order its `__call__` takes them.
Step = Tuple[Text, Tuple[Text, ...]]


class SequentialGraphRunner(DaskGraphRunner):
    """DaskGraphRunner's results, computed in plain Python."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Text, ...], List[Step]] = {}

    def run(
        self,
        inputs: Optional[Dict[Text, Any]] = None,
        targets: Optional[List[Text]] = None,
    ) -> Dict[Text, Any]:
        run_targets = tuple(targets or self._graph_schema.target_names)
        # Each value travels as (name, value), the form GraphNode takes and returns.
        values: Dict[Text, Tuple[Text, Any]] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            values[name] = (name, value)
        try:
            for node_name, needs in self._plan(run_targets):
                arguments = [values[need] for need in needs]
                values[node_name] = self._instantiated_nodes[node_name](*arguments)
        except KeyError as missing:
            raise GraphRunError(f"Nothing gives the graph's input {missing}.") from missing
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(values[target] for target in run_targets)

    def _plan(self, targets: Tuple[Text, ...]) -> List[Step]:
        plan = self._plans.get(targets)
        if plan is None:
            plan = self._plans[targets] = dependency_order(self._graph_schema, targets)
        return plan


def dependency_order(schema: Any, targets: Sequence[Text]) -> List[Step]:
    """The nodes the targets need, each after everything it needs."""
    nodes = schema.minimal_graph_schema(list(targets)).nodes
    order: List[Step] = []
    placed = set()

    def place(name: Text, path: Tuple[Text, ...]) -> None:
        if name in placed or name not in nodes:  # done, or an input of the run
            return
        if name in path:
            raise GraphRunError(f"The graph has a cycle through '{name}'.")
        needs = tuple(nodes[name].needs.values())
        for need in needs:
            place(need, path + (name,))
        placed.add(name)
        order.append((name, needs))

    for target in targets:
        place(target, ())
    return order


def install() -> None:
    """Makes the Rasa server's MessageProcessor load models with this runner."""
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
