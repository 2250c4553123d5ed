"""Runs the trained model on tests/eval/ through the real servers and checks the thresholds.

    python -m evaluation                 # start the servers with the newest model (make eval)
    python -m evaluation --model M.tar.gz
    python -m evaluation --url http://127.0.0.1:5005   # an assistant already running

Exits 1 when an overall figure misses its target (tests/eval/thresholds.yml), or with
--gate (what `make test` runs) when it falls below the build's floor.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

from evaluation import client, evalset, metrics, report
from project import settings

RESULTS_DIR = evalset.PROJECT_ROOT / "results" / "eval"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def assistant(model: Optional[Path]) -> Iterator[str]:
    """Both servers, as `make run` starts them, with a throwaway SQLite tracker store."""
    from operations import processes

    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as scratch:
        env = {name: "" for name in settings.STORE_VARIABLES}
        env[settings.TRACKER_DB_URL] = f"sqlite:///{Path(scratch) / 'tracker.db'}"
        with processes.start_assistant(
            rasa_port=free_port(),
            action_port=free_port(),
            model=model or processes.newest_model(),
            log_dir=Path(scratch) / "logs",
            env=env,
        ) as running:
            yield running.rasa_url


def covered_topics() -> tuple:
    """The topics the knowledge base answers; a topic the set has beyond these is reported apart."""
    from actions.knowledge import TOPICS

    return tuple(TOPICS)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, help="the model to serve (default: the newest in models/)"
    )
    parser.add_argument("--url", help="evaluate an assistant already running at this URL")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--workers", type=int, default=client.WORKERS)
    parser.add_argument(
        "--gate",
        action="store_true",
        help="fail only below the build's floor (thresholds.yml `gate`), not the targets",
    )
    args = parser.parse_args(argv)

    conversations = evalset.load_all()
    topics = covered_topics()
    started = time.monotonic()
    with contextlib.nullcontext(args.url) if args.url else assistant(args.model) as url:
        outcomes = client.run_all(url, conversations, args.workers)
    summary = metrics.summarise(outcomes, topics)
    targets_missed = metrics.failed_thresholds(summary["overall"], evalset.load_thresholds())
    gate_missed = metrics.failed_thresholds(
        summary["overall"], evalset.load_thresholds(evalset.GATE)
    )
    failures = gate_missed if args.gate else targets_missed
    paths = report.write(args.out, summary, outcomes, topics, failures)

    print(report.render(summary))
    print(
        f"\n{len(outcomes)} messages in {len(conversations)} conversations, "
        f"{time.monotonic() - started:.0f} s. Misses: {paths['misses']}; "
        f"figures: {paths['summary']}"
    )
    for missed in targets_missed:
        print(f"TARGET MISSED: {missed}", file=sys.stderr)
    for missed in gate_missed:
        print(f"BELOW THE BUILD'S FLOOR: {missed}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
