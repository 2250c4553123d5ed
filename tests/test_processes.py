"""How the servers are started: telemetry off, loopback only, API only with a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from operations import private_files, processes
from project import settings


def test_every_process_runs_without_telemetry_on_loopback(monkeypatch):
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    monkeypatch.delenv("SANIC_HOST", raising=False)
    env = processes.rasa_environment()
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["SANIC_HOST"] == "127.0.0.1"


def test_the_action_server_command_is_one_rasa_sdk_accepts():
    command = processes.action_server_command(5055)
    assert "--host" not in command and command[-2:] == ["--port", "5055"]


def command(monkeypatch, token=None):
    if token is None:
        monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    else:
        monkeypatch.setenv("RASA_API_TOKEN", token)
    return processes.rasa_server_command(
        5005, Path("endpoints.yml"), Path("model.tar.gz"), settings.web_origins()
    )


def test_the_http_api_is_enabled_only_with_a_token(monkeypatch):
    assert "--enable-api" not in command(monkeypatch)
    with_token = command(monkeypatch, "s3cret")
    assert with_token[with_token.index("--enable-api") + 1 :][:2] == ["--auth-token", "s3cret"]


def test_the_rasa_server_listens_on_loopback_with_the_clinic_origins(monkeypatch):
    started = command(monkeypatch)
    assert started[started.index("--interface") + 1] == "127.0.0.1"
    # One --cors flag: Rasa's argparse keeps only the last of repeated ones.
    assert started.count("--cors") == 1
    at = started.index("--cors") + 1
    assert started[at : at + len(settings.web_origins())] == settings.web_origins()


def test_server_logs_and_endpoints_are_created_private(tmp_path):
    previous = os.umask(0o022)
    try:
        log_dir = tmp_path / "logs"
        process = processes.spawn([sys.executable, "-c", "print('hello')"], log_dir / "x.log", {})
        process.wait(30)
        endpoints = processes.write_endpoints(
            log_dir / "endpoints.yml", "http://127.0.0.1:1/webhook"
        )
    finally:
        os.umask(previous)
    assert (log_dir.stat().st_mode & 0o777) == 0o700
    assert ((log_dir / "x.log").stat().st_mode & 0o777) == 0o600
    assert (endpoints.stat().st_mode & 0o777) == 0o600
    assert (log_dir / "x.log").read_text().strip() == "hello"


def test_an_existing_log_folder_and_file_are_made_private(tmp_path):
    log_dir = tmp_path / "logs"
    log_dir.mkdir(mode=0o755)
    (log_dir / "x.log").write_text("old\n")
    (log_dir / "x.log").chmod(0o644)
    private_files.private_dir(log_dir)
    private_files.open_private(log_dir / "x.log").close()
    assert (log_dir.stat().st_mode & 0o777) == 0o700
    assert ((log_dir / "x.log").stat().st_mode & 0o777) == 0o600
    assert (log_dir / "x.log").read_text() == "old\n"


def test_the_rasa_server_runs_tensorflow_on_one_thread_unless_told_otherwise(monkeypatch):
    # Rasa reads these at start-up (rasa.utils.tensorflow.environment); training
    # (rasa_environment) keeps TensorFlow's own defaults.
    monkeypatch.delenv("TF_INTER_OP_PARALLELISM_THREADS", raising=False)
    monkeypatch.setenv("TF_INTRA_OP_PARALLELISM_THREADS", "4")
    env = processes.rasa_server_environment()
    assert env["TF_INTER_OP_PARALLELISM_THREADS"] == "1"
    assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "4"
    assert "TF_INTER_OP_PARALLELISM_THREADS" not in processes.rasa_environment()


def test_rasa_applies_the_servers_tensorflow_threads(monkeypatch):
    # What `rasa run` does at start-up (rasa/__main__.py), in a fresh interpreter:
    # TensorFlow's thread pools can only be sized before TensorFlow first runs.
    script = (
        "from rasa.utils.tensorflow.environment import setup_tf_environment\n"
        "import tensorflow as tf\n"
        "setup_tf_environment()\n"
        "print(tf.config.threading.get_inter_op_parallelism_threads(),"
        " tf.config.threading.get_intra_op_parallelism_threads())\n"
    )
    monkeypatch.delenv("TF_INTER_OP_PARALLELISM_THREADS", raising=False)
    monkeypatch.delenv("TF_INTRA_OP_PARALLELISM_THREADS", raising=False)
    env = processes.rasa_server_environment()
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.split() == ["1", "1"], done.stderr[-2000:]
