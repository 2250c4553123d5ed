"""Throwaway PostgreSQL and Redis servers on free ports, from Debian's packages.

scripts/install_services.sh installs the packages. Each server lives in a
temporary directory and is stopped and deleted afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

INSTALL_HINT = "run scripts/install_services.sh (installs postgresql and redis-server)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Optional[Path]:
    """The newest PostgreSQL's bin directory holding initdb and pg_ctl."""
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        if os.access(f"{directory}/initdb", os.X_OK) and os.access(f"{directory}/pg_ctl", os.X_OK):
            return Path(directory)
    return None


def _version(directory: str) -> float:
    try:
        return float(Path(directory).parent.name)
    except ValueError:
        return 0.0


def _run_as() -> Optional[str]:
    """PostgreSQL refuses to run as root: use its own system user then."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root without a `postgres` user; " + INSTALL_HINT) from None
    return "postgres"


@dataclass
class Postgres:
    port: int
    user: str = "rasa"
    host: str = "127.0.0.1"

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres"
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        return self.url(name)


@contextlib.contextmanager
def postgres(port: Optional[int] = None) -> Iterator[Postgres]:
    """A PostgreSQL cluster in a temporary directory: trust auth, loopback only."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed; " + INSTALL_HINT)
    user = _run_as()
    port = port or free_port()
    root = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (root, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    run = dict(user=user, check=True, capture_output=True, timeout=120)
    subprocess.run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "rasa",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        **run,
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} -c fsync=off"
    subprocess.run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        **run,
    )
    try:
        yield Postgres(port=port)
    finally:
        subprocess.run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            user=user,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Redis:
    port: int
    host: str = "127.0.0.1"

    def lock_store(self) -> dict:
        """The endpoints.yml `lock_store` entry for this server.

        Rasa's own `type: redis` store is not atomic across replicas
        (rasa_extensions/lock_store.py).
        """
        return {
            "type": "rasa_extensions.lock_store.AtomicRedisLockStore",
            "url": self.host,
            "port": self.port,
            "db": 1,
        }


@contextlib.contextmanager
def redis() -> Iterator[Redis]:
    """A Redis server that keeps nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed; " + INSTALL_HINT)
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="lock-redis-"))
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_redis(port, process)
        yield Redis(port=port)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_redis(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    import redis as redis_client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        with contextlib.suppress(redis_client.exceptions.ConnectionError):
            if redis_client.Redis(host="127.0.0.1", port=port).ping():
                return
        time.sleep(0.2)
    raise TimeoutError("redis-server did not answer")
