"""Fixtures of the integration tests: real servers on free ports, temporary stores.

Every test starts the servers exactly as `make run` does (operations.processes),
with its own tracker database in a temporary directory. The model is the
newest in models/, or the one ASSISTANT_MODEL names.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests

from operations import processes
from project import settings
from tests.integration import services

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FRIENDSHIP_QUESTION = "can i be friends with my therapist after therapy ends"
# Variables that would point the servers somewhere else than the test's store.
STORE_VARIABLES = settings.STORE_VARIABLES


def model_path() -> Path:
    configured = os.environ.get("ASSISTANT_MODEL")
    if configured:
        return Path(configured)
    try:
        return processes.newest_model()
    except FileNotFoundError as missing:
        pytest.fail(f"{missing} The integration tests talk to the real assistant.")


def customs(reply: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [m["custom"] for m in reply if isinstance(m, dict) and m.get("custom")]


def texts(reply: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in reply if isinstance(m, dict) and m.get("text")]


def answer_topic(reply: List[Dict[str, Any]]) -> Optional[str]:
    """The topic of the reply's `answer` custom object, if it has one."""
    for custom in customs(reply):
        if custom.get("kind") == "answer":
            return custom.get("topic")
    return None


@dataclass
class Assistant:
    """A running Rasa server (and action server) with helpers to talk to it."""

    running: processes.RunningAssistant
    replicas: List[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.running.rasa_url

    def send(
        self,
        sender: str,
        message: str,
        role: Optional[str] = None,
        url: Optional[str] = None,
        timeout: float = 60,
    ) -> List[Dict[str, Any]]:
        payload: Dict[str, Any] = {"sender": sender, "message": message}
        if role:
            payload["metadata"] = {"role": role}
        response = requests.post(
            f"{url or self.url}/webhooks/rest/webhook", json=payload, timeout=timeout
        )
        assert response.status_code == 200, (response.status_code, response.text[:500])
        return response.json()

    def post(self, data: bytes, timeout: float = 30, **headers: str) -> requests.Response:
        return requests.post(
            f"{self.url}/webhooks/rest/webhook",
            data=data,
            headers={"Content-Type": "application/json", **headers},
            timeout=timeout,
        )

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.running.log_dir.glob("*.log"))
        )

    def stop(self) -> None:
        self.running.stop()


def store_environment(store_url: str, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {name: "" for name in STORE_VARIABLES}
    env["TRACKER_DB_URL"] = store_url
    env.update(extra or {})
    return env


def start(
    store_url: str, log_dir: Path, env: Optional[Dict[str, str]] = None, **kwargs
) -> Assistant:
    """Starts both servers on free ports against the given tracker database."""
    running = processes.start_servers(
        rasa_port=services.free_port(),
        action_port=services.free_port(),
        model=model_path(),
        log_dir=log_dir,
        env=store_environment(store_url, env),
        **kwargs,
    )
    return Assistant(running)


def start_replica(assistant: Assistant, log_dir: Path, env: Dict[str, str]) -> str:
    """Another Rasa server sharing the first one's endpoints (and action server)."""
    port = services.free_port()
    process = processes.spawn(
        processes.rasa_server_command(
            port, assistant.running.endpoints, model_path(), processes.settings.web_origins()
        ),
        log_dir / f"rasa-{port}.log",
        processes.rasa_environment(env),
    )
    assistant.running.extra.append(process)
    url = f"http://127.0.0.1:{port}"
    processes.wait_until_up(f"{url}/", 240, process)
    assistant.replicas.append(url)
    return url


def listening_addresses(port: int) -> List[str]:
    """The IPv4/IPv6 addresses a local TCP port listens on (from /proc/net)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.append(_decode_address(address, width))
    return found


def _decode_address(address: str, width: int) -> str:
    import ipaddress

    raw = bytes.fromhex(address)
    # /proc/net stores each 32-bit word in host (little-endian) order.
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    return str(ipaddress.ip_address(b"".join(words)))


def wait_for_log(assistant: Assistant, pattern: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, assistant.logs()):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[services.Postgres]:
    try:
        context = services.postgres()
        server = context.__enter__()
    except RuntimeError as missing:
        pytest.fail(str(missing))
    try:
        yield server
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[services.Redis]:
    try:
        context = services.redis()
        server = context.__enter__()
    except RuntimeError as missing:
        pytest.fail(str(missing))
    try:
        yield server
    finally:
        context.__exit__(None, None, None)
