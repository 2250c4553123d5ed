"""What a run measured, the targets it is held to, the table and the plot."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from bench.load import LoadRun


@dataclass
class Measurement:
    """Everything measured for one assistant in one run."""

    name: str
    startup_seconds: float
    memory_mb: float
    training_seconds: Optional[float]
    load: LoadRun
    single: LoadRun
    training_cpu_seconds: Optional[float] = None
    load_average: Dict[str, float] = field(default_factory=dict)
    details: Dict[str, str] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return len(self.load.replies) / self.load.wall_seconds

    def load_percentile(self, percent: int) -> float:
        latencies = sorted(reply.seconds for reply in self.load.replies)
        return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1]

    @staticmethod
    def median_of_turns(run: LoadRun, turns: Sequence[int]) -> float:
        return statistics.median(r.seconds for r in run.replies if r.turn in turns)

    def turn_range(self, run: LoadRun, first: bool) -> range:
        last = max(reply.turn for reply in run.replies)
        return range(1, 6) if first else range(last - 4, last + 1)

    def flatness(self, run: LoadRun) -> float:
        """Median latency of the last 5 turns over that of the first 5."""
        return self.median_of_turns(run, self.turn_range(run, False)) / self.median_of_turns(
            run, self.turn_range(run, True)
        )

    def by_turn(self, run: LoadRun) -> List[float]:
        """Median latency (s) of each turn over the run's conversations."""
        last = max(reply.turn for reply in run.replies)
        return [
            statistics.median(r.seconds for r in run.replies if r.turn == turn)
            for turn in range(1, last + 1)
        ]

    def as_dict(self) -> dict:
        data = {key: value for key, value in asdict(self).items() if key not in ("load", "single")}
        for label, run in (("load", self.load), ("single", self.single)):
            data[label] = {
                "wall_seconds": run.wall_seconds,
                "errors": [asdict(reply) for reply in run.errors][:20],
                "latency_by_turn_ms": [round(s * 1000, 1) for s in self.by_turn(run)],
            }
        return data


@dataclass
class Row:
    label: str
    stock: str
    ours: str
    ratio: str
    target: str
    passed: Optional[bool]  # None: reported, no target


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def rows(stock: Measurement, ours: Measurement) -> List[Row]:
    def compared(
        label: str,
        value: Callable[[Measurement], float],
        fmt: Callable[[float], str],
        target: Optional[str] = None,
        holds: Optional[Callable[[float], bool]] = None,
    ) -> Row:
        s, o = value(stock), value(ours)
        ratio = o / s if s else float("inf")
        return Row(
            label, fmt(s), fmt(o), f"{ratio:.2f}x", target or "", holds(ratio) if holds else None
        )

    def flat(label: str, run: Callable[[Measurement], LoadRun]) -> Row:
        s, o = stock.flatness(run(stock)), ours.flatness(run(ours))
        return Row(label, f"{s:.2f}", f"{o:.2f}", "", "ours <= 1.25", o <= 1.25)

    single_first = lambda m: m.median_of_turns(m.single, m.turn_range(m.single, True))  # noqa: E731
    single_last = lambda m: m.median_of_turns(m.single, m.turn_range(m.single, False))  # noqa: E731
    load_first = lambda m: m.median_of_turns(m.load, m.turn_range(m.load, True))  # noqa: E731
    load_last = lambda m: m.median_of_turns(m.load, m.turn_range(m.load, False))  # noqa: E731
    last_load_turns = ours.turn_range(ours.load, False)
    last_single_turns = ours.turn_range(ours.single, False)
    training = ours.training_seconds
    stock_training = stock.training_seconds

    def trained(m: Measurement) -> str:
        if m.training_seconds is None:
            return "not measured"
        cpu = f" ({m.training_cpu_seconds:.0f} s CPU)" if m.training_cpu_seconds else ""
        return f"{m.training_seconds:.0f} s{cpu}"

    return [
        compared(
            "Throughput under load (msg/s)",
            lambda m: m.throughput,
            lambda v: f"{v:.1f}",
            ">= 2x",
            lambda r: r >= 2.0,
        ),
        compared("p50 latency under load", lambda m: m.load_percentile(50), _ms),
        compared(
            "p95 latency under load",
            lambda m: m.load_percentile(95),
            _ms,
            "<= 0.5x",
            lambda r: r <= 0.5,
        ),
        compared("Under load: median of turns 1-5", load_first, _ms),
        compared(
            f"Under load: median of turns {last_load_turns.start}-{last_load_turns.stop - 1}",
            load_last,
            _ms,
        ),
        flat("Under load: last 5 / first 5 turns", lambda m: m.load),
        compared("One conversation: median of turns 1-5", single_first, _ms),
        compared(
            f"One conversation: median of turns "
            f"{last_single_turns.start}-{last_single_turns.stop - 1}",
            single_last,
            _ms,
        ),
        flat("One conversation: last 5 / first 5 turns", lambda m: m.single),
        Row(
            "Errors under load (non-200 or bad body)",
            str(len(stock.load.errors)),
            str(len(ours.load.errors)),
            "",
            "ours = 0",
            not ours.load.errors,
        ),
        compared(
            "Start-up until the first answer",
            lambda m: m.startup_seconds,
            lambda v: f"{v:.1f} s",
            "<= 1x",
            lambda r: r <= 1.0,
        ),
        compared(
            "Resident memory after the load",
            lambda m: m.memory_mb,
            lambda v: f"{v:.0f} MB",
            "<= 1.2x",
            lambda r: r <= 1.2,
        ),
        Row(
            "Training time, wall (CPU)",
            trained(stock),
            trained(ours),
            f"{training / stock_training:.2f}x" if training and stock_training else "",
            "ours < 300 s",
            training < 300 if training is not None else None,
        ),
    ]


def markdown_table(table: List[Row]) -> str:
    lines = [
        "| Measure | Stock Rasa | Ours | Ours/stock | Target | Result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in table:
        result = {True: "pass", False: "**FAIL**", None: ""}[row.passed]
        lines.append(
            f"| {row.label} | {row.stock} | {row.ours} | {row.ratio} | {row.target} | {result} |"
        )
    return "\n".join(lines)


def plot(stock: Measurement, ours: Measurement, path: Path) -> None:
    """Latency by turn, one conversation and under load, for both assistants."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (single, loaded) = plt.subplots(1, 2, figsize=(11, 4.2))
    for measurement, colour in ((stock, "tab:red"), (ours, "tab:blue")):
        label = "stock rasa init" if measurement is stock else "ours"
        for axes, run in ((single, measurement.single), (loaded, measurement.load)):
            turns = measurement.by_turn(run)
            axes.plot(
                range(1, len(turns) + 1), [s * 1000 for s in turns], color=colour, label=label
            )
    single.set_title("One conversation: latency by turn")
    loaded.set_title(
        f"{len({r.conversation for r in ours.load.replies})} concurrent conversations: "
        "median latency by turn"
    )
    for axes in (single, loaded):
        axes.set_xlabel("turn")
        axes.set_ylabel("latency (ms)")
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
