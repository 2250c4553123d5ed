"""The two assistants under test: how each is built, trained and started.

Stock: `rasa init --no-prompt` in .bench/stock (cached; its build time is kept
in .bench/stock.json). Ours: the project, started with
operations.processes.start_servers exactly as everything else starts it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import rasa
import yaml

from bench import load, machine
from operations import processes
from operations.private_files import open_private
from operations.processes import VENV_BIN
from project.paths import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / ".bench"
STOCK_DIR = BENCH_DIR / "stock"
STOCK_RECORD = BENCH_DIR / "stock.json"
TRAIN_TIMEOUT = 3600.0
START_TIMEOUT = 600.0

# The store used when endpoints.yml names none: Rasa's SQL store, bounded.
DEFAULT_TRACKER_STORE = "rasa_extensions.bounded_history.BoundedSQLTrackerStore"


@dataclass
class Running:
    """A started assistant: where it answers and which processes are its own."""

    name: str
    url: str
    root_pids: List[int]
    startup_seconds: float
    stop: Callable[[], None]
    log_dir: Path
    details: Dict[str, str] = field(default_factory=dict)


def _newest_model(models_dir: Path) -> Optional[Path]:
    try:
        return processes.newest_model(models_dir)
    except FileNotFoundError:
        return None


@dataclass
class Timed:
    seconds: float  # wall clock
    cpu_seconds: float  # user and system time of the command and its children


def _run_timed(command: List[str], cwd: Path, log_path: Path) -> Timed:
    """Runs a command to completion; on a shared machine the CPU time says how
    much of the wall time was the command's own work."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open_private(log_path, "wb") as log:
        subprocess.run(
            command,
            cwd=cwd,
            env=processes.rasa_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=TRAIN_TIMEOUT,
        )
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(seconds, cpu)


def ensure_stock(progress: Callable[[str], None]) -> dict:
    """The stock assistant's build record; builds it first if there is no model."""
    if _newest_model(STOCK_DIR / "models") and STOCK_RECORD.exists():
        return json.loads(STOCK_RECORD.read_text())
    progress(f"Building the stock assistant in {STOCK_DIR} (rasa init --no-prompt) ...")
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    STOCK_DIR.mkdir(parents=True)
    load_before = machine.load_average()
    timed = _run_timed(
        [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", "."],
        STOCK_DIR,
        BENCH_DIR / "stock-build.log",
    )
    record = {
        "rasa_version": rasa.__version__,
        "training_seconds": round(timed.seconds, 1),
        "training_cpu_seconds": round(timed.cpu_seconds, 1),
        "what": "rasa init --no-prompt (scaffold and train)",
        "load_average_before": round(load_before, 2),
        "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    STOCK_RECORD.write_text(json.dumps(record, indent=2) + "\n")
    return record


def train_ours(progress: Callable[[str], None], out_dir: Path) -> Tuple[Timed, Path]:
    """`rasa train --force` of the project into `out_dir`: (time taken, model path)."""
    progress("Training our assistant (rasa train --force, timed) ...")
    timed = _run_timed(
        [
            str(VENV_BIN / "rasa"),
            "train",
            "--force",
            "--out",
            str(out_dir),
            "--fixed-model-name",
            "bench",
        ],
        PROJECT_ROOT,
        out_dir / "train.log",
    )
    return timed, out_dir / "bench.tar.gz"


def our_model(explicit: Optional[Path], trained: Optional[Path]) -> Path:
    """The model to serve: the one asked for, else the one just trained from the
    project as it is, else the newest in models/."""
    model = explicit or trained or _newest_model(PROJECT_ROOT / "models")
    if model is None:
        raise FileNotFoundError(
            "No model in models/ and none trained: run without --skip-training."
        )
    return model


def _time_first_answer(started: float, url: str, check: load.BodyCheck) -> float:
    problem = load.first_answer(url, check, START_TIMEOUT)
    if problem:
        raise RuntimeError(f"{url}: the first message was not answered well: {problem}")
    return time.monotonic() - started


def start_stock(log_dir: Path) -> Running:
    model = _newest_model(STOCK_DIR / "models")
    if model is None:
        raise FileNotFoundError(
            f"No stock model in {STOCK_DIR / 'models'}: `rasa init` trained none."
        )
    port = machine.free_port()
    command = [
        str(VENV_BIN / "rasa"),
        "run",
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
        "--credentials",
        str(STOCK_DIR / "credentials.yml"),
        "--endpoints",
        str(STOCK_DIR / "endpoints.yml"),
        "--model",
        str(model),
    ]
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    process = processes.spawn(command, log_dir / "stock-rasa.log", processes.rasa_environment())
    try:
        processes.wait_until_up(url + "/", START_TIMEOUT, process)
        startup = _time_first_answer(started, url, load.rest_reply)
    except Exception:
        processes.stop(process)
        raise
    return Running(
        "stock",
        url,
        [process.pid],
        startup,
        lambda: processes.stop(process),
        log_dir,
        {"model": model.name, "tracker store": "InMemoryTrackerStore (Rasa's default)"},
    )


def _our_tracker_store(database: Path, store_type: Optional[str]) -> dict:
    """The project's tracker store with its SQLite file moved to `database`."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text()) or {}
    section = dict(endpoints.get("tracker_store") or {})
    if store_type or not section:
        section = {"type": store_type or DEFAULT_TRACKER_STORE}
    for key in ("url", "host", "port", "username", "password", "login_db", "query"):
        section.pop(key, None)
    section.update(dialect="sqlite", db=str(database))
    return section


def _without_database_overrides() -> Dict[str, str]:
    """Blanks the variables that would point our store at another database."""
    return {name: "" for name in os.environ if name == "TRACKER_DB_URL" or name.startswith("DB_")}


def start_ours(log_dir: Path, model: Path, store_type: Optional[str] = None) -> Running:
    database = Path(tempfile.mkdtemp(prefix="bench-store-")) / "tracker.db"
    tracker_store = _our_tracker_store(database, store_type)
    started = time.monotonic()
    running = processes.start_servers(
        rasa_port=machine.free_port(),
        action_port=machine.free_port(),
        cors_origins=(),
        model=model,
        tracker_store=tracker_store,
        log_dir=log_dir,
        env=_without_database_overrides(),
        start_timeout=START_TIMEOUT,
    )

    def stop() -> None:
        running.stop()
        shutil.rmtree(database.parent, ignore_errors=True)

    try:
        startup = _time_first_answer(started, running.rasa_url, load.contract_reply)
    except Exception:
        stop()
        raise
    return Running(
        "ours",
        running.rasa_url,
        [running.rasa.pid, running.actions.pid],
        startup,
        stop,
        log_dir,
        {"model": model.name, "tracker store": f"{tracker_store['type']} (SQLite)"},
    )
