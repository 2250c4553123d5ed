"""`python -m bench`: measure the stock assistant, then ours, and compare.

Prints a table of both with the ratios and targets, writes the latency plot,
and keeps the raw results in .bench/results/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Optional

from bench import assistants, load, machine, report
from project.paths import PROJECT_ROOT


def progress(text: str) -> None:
    print(text, flush=True)


def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--conversations", type=int, default=10, help="concurrent conversations (10)"
    )
    parser.add_argument(
        "--turns", type=int, default=30, help="turns of each concurrent conversation (30)"
    )
    parser.add_argument(
        "--single-turns", type=int, default=100, help="turns of the single conversation (100)"
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="limit per load run, seconds (1800)"
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="our model (default: the one the run trains, else the newest in models/)",
    )
    parser.add_argument(
        "--skip-training",
        action="store_true",
        help="do not time `rasa train --force` of ours (needs a model)",
    )
    parser.add_argument(
        "--tracker-store", help="our tracker store class (default: endpoints.yml's)"
    )
    parser.add_argument(
        "--plot", type=Path, default=PROJECT_ROOT / "docs" / "performance-latency.png"
    )
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a target is missed")
    return parser.parse_args(argv)


def measure(
    start: Callable[[], assistants.Running],
    check: load.BodyCheck,
    args: argparse.Namespace,
    training: Optional[assistants.Timed],
) -> report.Measurement:
    averages = {"before start": machine.load_average()}
    running = start()
    progress(
        f"  {running.name}: answered its first message {running.startup_seconds:.1f} s after start"
    )
    try:
        averages["before load"] = machine.load_average()
        loaded = load.run_load(running.url, args.conversations, args.turns, check, args.timeout)
        progress(
            f"  {running.name}: {args.conversations} x {args.turns} turns "
            f"in {loaded.wall_seconds:.1f} s, "
            f"{len(loaded.errors)} errors"
        )
        single = load.run_load(running.url, 1, args.single_turns, check, args.timeout)
        progress(
            f"  {running.name}: one conversation of {args.single_turns} turns "
            f"in {single.wall_seconds:.1f} s, "
            f"{len(single.errors)} errors"
        )
        memory = machine.resident_mb(running.root_pids)
        averages["after load"] = machine.load_average()
    finally:
        running.stop()
    return report.Measurement(
        running.name,
        running.startup_seconds,
        memory,
        training.seconds if training else None,
        loaded,
        single,
        training.cpu_seconds if training else None,
        {k: round(v, 2) for k, v in averages.items()},
        running.details,
    )


def main(argv: Optional[List[str]] = None) -> int:
    args = parse(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = assistants.BENCH_DIR / "results" / stamp
    run_dir.mkdir(parents=True, exist_ok=True)
    progress(f"Load average at start: {machine.load_average():.2f} (2 shared cores)")

    stock_record = assistants.ensure_stock(progress)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        training, trained = None, None
        if not args.skip_training:
            training, trained = assistants.train_ours(progress, work)
            progress(
                f"  ours: trained in {training.seconds:.0f} s ({training.cpu_seconds:.0f} s of CPU)"
            )
        model = assistants.our_model(args.model, trained)

        progress("Stock assistant:")
        stock_training = assistants.Timed(
            stock_record["training_seconds"], stock_record.get("training_cpu_seconds") or 0.0
        )
        stock = measure(
            lambda: assistants.start_stock(run_dir), load.rest_reply, args, stock_training
        )
        progress(f"Our assistant ({model}):")
        ours = measure(
            lambda: assistants.start_ours(run_dir, model, args.tracker_store),
            load.contract_reply,
            args,
            training,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = report.rows(stock, ours)
    text = report.markdown_table(table)
    progress("\n" + text + "\n")
    report.plot(stock, ours, args.plot)
    (run_dir / "table.md").write_text(text + "\n")
    (run_dir / "results.json").write_text(
        json.dumps(
            {
                "arguments": sys.argv[1:],
                "stock_build": stock_record,
                "stock": stock.as_dict(),
                "ours": ours.as_dict(),
            },
            indent=2,
        )
        + "\n"
    )
    progress(f"Plot: {args.plot}\nResults and server logs: {run_dir}")
    missed = [row.label for row in table if row.passed is False]
    if missed:
        progress("Missed targets: " + "; ".join(missed))
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
