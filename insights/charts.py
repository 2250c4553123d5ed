"""The report's charts, drawn with matplotlib as PNG images embedded in the page."""

from __future__ import annotations

import base64
import io
from typing import Dict, List, Sequence

import matplotlib

matplotlib.use("Agg")  # no display: the report is drawn to files
import matplotlib.pyplot as plt  # noqa: E402

ACCENT = "#2f6f73"
COLOURS = {
    "client": "#2f6f73",
    "therapist": "#b5651d",
    "unknown": "#8a8a8a",
    "yes": "#2f7d32",
    "no": "#b23b3b",
}


def data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def stacked_bars(
    title: str, categories: Sequence[str], series: Dict[str, List[int]], horizontal: bool = False
) -> str:
    height = max(2.6, 0.38 * len(categories) + 1.2) if horizontal else 3.2
    figure, axes = plt.subplots(figsize=(7.2, height))
    base = [0] * len(categories)
    positions = range(len(categories))
    for name, values in series.items():
        colour = COLOURS.get(name, ACCENT)
        if horizontal:
            axes.barh(positions, values, left=base, label=name, color=colour)
        else:
            axes.bar(positions, values, bottom=base, label=name, color=colour)
        base = [b + v for b, v in zip(base, values, strict=True)]
    if horizontal:
        axes.set_yticks(list(positions), list(categories))
        axes.invert_yaxis()
    else:
        axes.set_xticks(list(positions), list(categories), rotation=30, ha="right")
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(frameon=False, fontsize=8)
    return data_uri(figure)


def histogram(title: str, values: Sequence[float], unit: str) -> str:
    figure, axes = plt.subplots(figsize=(7.2, 2.8))
    axes.hist(values, bins=min(30, max(5, len(values) // 3)), color=ACCENT)
    axes.set_xlabel(unit)
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return data_uri(figure)
