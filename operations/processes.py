"""Start, watch and stop the assistant's servers.

Used by `make run`, the integration and browser tests and the benchmark, so
that all of them run the assistant exactly the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import yaml

from operations.private_files import open_private, private_dir, write_private_text
from project import settings
from project.paths import PROJECT_ROOT

VENV_BIN = Path(sys.executable).parent


def rasa_environment(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment every Rasa process of the project runs with."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    # `rasa run actions` has no --host: rasa-sdk binds to SANIC_HOST, else 0.0.0.0.
    # The action server has no authentication, so it stays on loopback.
    env.setdefault("SANIC_HOST", "127.0.0.1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env.update(extra or {})
    return env


def rasa_server_environment(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The Rasa server's environment: `rasa_environment`, with TensorFlow on one thread.

    A message runs DIET's small graph once; TensorFlow's own thread pools add a
    hand-over and threads spinning for work to each run, and take a core from the
    action server and from other conversations. With one inter-op and one
    intra-op thread the server spent about a tenth less CPU time per message
    under the benchmark's load (docs/performance.md). Set either variable to
    override; training keeps TensorFlow's defaults.
    """
    env = rasa_environment(extra)
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    return env


def newest_model(models_dir: Path = PROJECT_ROOT / "models") -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError(f"No trained model in {models_dir}: run `make train`.")
    return models[-1]


def write_endpoints(
    path: Path,
    action_url: str,
    tracker_store: Optional[dict] = None,
    lock_store: Optional[dict] = None,
    base: Path = PROJECT_ROOT / "endpoints.yml",
) -> Path:
    """Writes an endpoints file: the project's, with the given overrides."""
    endpoints = yaml.safe_load(base.read_text()) or {}
    endpoints["action_endpoint"] = {"url": action_url}
    if tracker_store is not None:
        endpoints["tracker_store"] = tracker_store
    if lock_store is not None:
        endpoints["lock_store"] = lock_store
    # It may hold the database password: readable by its owner only.
    return write_private_text(path, yaml.safe_dump(endpoints, sort_keys=False))


def wait_until_up(url: str, timeout: float, process: subprocess.Popen) -> None:
    """Polls `url` until it answers; fails early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stops a server started by `spawn`, with its children."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def spawn(args: Sequence[str], log_path: Path, env: Dict[str, str]) -> subprocess.Popen:
    """Starts a server in its own process group, its output in `log_path` (0600, folder 0700)."""
    with open_private(log_path, "ab") as log:
        return subprocess.Popen(
            list(args),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def action_server_command(port: int, actions_package: str = "actions") -> List[str]:
    """The action server; it listens on SANIC_HOST (see `rasa_environment`).

    rasa-sdk's own entry point, which `rasa run actions` calls after importing
    all of Rasa: the same server in 40 MB instead of 120 MB, and ready sooner.
    Both harden it through the project's rasa_sdk_plugins (rasa_sdk_plugins.action_server).
    """
    return [
        sys.executable,
        "-m",
        "rasa_sdk",
        "--actions",
        actions_package,
        "--port",
        str(port),
    ]


def rasa_server_command(
    port: int,
    endpoints: Path,
    model: Path,
    cors_origins: Sequence[str],
    credentials: Path = PROJECT_ROOT / "credentials.yml",
    host: str = "127.0.0.1",
    extra_args: Sequence[str] = (),
) -> List[str]:
    command = [
        str(VENV_BIN / "rasa"),
        "run",
        "--port",
        str(port),
        "--interface",
        host,
        "--credentials",
        str(credentials),
        "--endpoints",
        str(endpoints),
        "--model",
        str(model),
    ]
    if cors_origins:
        # One flag with every origin: argparse keeps only the last of repeated --cors flags.
        command += ["--cors", *cors_origins]
    # Rasa's HTTP API stays off unless RASA_API_TOKEN is set (docs/security.md).
    return command + settings.rasa_api_args() + list(extra_args)


@dataclass
class RunningAssistant:
    rasa_url: str
    action_url: str
    rasa_port: int
    action_port: int
    log_dir: Path
    rasa: subprocess.Popen
    actions: subprocess.Popen
    endpoints: Path
    extra: List[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for process in (self.rasa, self.actions, *self.extra):
            stop(process)


def start_servers(
    rasa_port: int = 5005,
    action_port: int = 5055,
    cors_origins: Optional[Sequence[str]] = None,
    model: Optional[Path] = None,
    tracker_store: Optional[dict] = None,
    lock_store: Optional[dict] = None,
    log_dir: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    start_timeout: float = 240,
    rasa_args: Sequence[str] = (),
) -> RunningAssistant:
    """Starts the action server and the Rasa server and waits until both answer.

    CORS allows the clinic's configured web origins unless `cors_origins` is given.
    """
    if cors_origins is None:
        cors_origins = settings.web_origins()
    log_dir = private_dir(Path(log_dir or tempfile.mkdtemp(prefix="assistant-logs-")))
    environment = rasa_environment(env)
    action_url = f"http://127.0.0.1:{action_port}"
    endpoints = write_endpoints(
        log_dir / f"endpoints-{rasa_port}.yml",
        f"{action_url}/webhook",
        tracker_store=tracker_store,
        lock_store=lock_store,
    )
    actions = spawn(action_server_command(action_port), log_dir / "actions.log", environment)
    rasa = spawn(
        rasa_server_command(
            rasa_port, endpoints, model or newest_model(), cors_origins, extra_args=rasa_args
        ),
        log_dir / f"rasa-{rasa_port}.log",
        rasa_server_environment(env),
    )
    running = RunningAssistant(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=action_url,
        rasa_port=rasa_port,
        action_port=action_port,
        log_dir=log_dir,
        rasa=rasa,
        actions=actions,
        endpoints=endpoints,
    )
    try:
        wait_until_up(f"{action_url}/health", start_timeout, actions)
        wait_until_up(f"{running.rasa_url}/", start_timeout, rasa)
    except Exception:
        running.stop()
        raise
    return running


@contextlib.contextmanager
def start_assistant(**kwargs) -> Iterator[RunningAssistant]:
    """Context manager around `start_servers`: the servers stop on exit."""
    running = start_servers(**kwargs)
    try:
        yield running
    finally:
        running.stop()
