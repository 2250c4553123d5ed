"""Fixtures of the browser tests: the real assistant, the web pages and Chromium.

One Rasa server and one action server run for the whole session (they take about a
minute to start); every test gets fresh browser contexts, so a fresh conversation.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from operations.processes import newest_model, start_assistant

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A model to test instead of the newest in models/.
MODEL_VARIABLE = "BROWSER_TEST_MODEL"
LOOPBACK = ("localhost", "127.0.0.1")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_web_server_module():
    """web/serve.py is a script, not a package: load it by path."""
    spec = importlib.util.spec_from_file_location("web_serve", PROJECT_ROOT / "web" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def serving_web(port: int, rasa_url: str) -> Iterator[None]:
    """The pages, served exactly as `python web/serve.py PORT --rasa-url URL` serves them."""
    server = load_web_server_module().make_server(port, rasa_url, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Site:
    """The pages, reachable from both origins the Rasa server allows."""

    port: int

    def url(self, path: str = "/", host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def rasa_url(web_port: int, tmp_path_factory) -> Iterator[str]:
    """The real Rasa and action servers, with CORS limited to the pages' two origins,
    keeping the test conversations in a database of their own."""
    chosen = os.environ.get(MODEL_VARIABLE)
    try:
        model = Path(chosen) if chosen else newest_model()
    except FileNotFoundError as missing:
        pytest.fail(f"{missing} The browser tests talk to the real assistant.")
    origins = [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"]
    with start_assistant(
        rasa_port=free_port(),
        action_port=free_port(),
        cors_origins=origins,
        model=model,
        log_dir=ARTIFACTS / "server-logs",
        env={"TRACKER_DB_URL": f"sqlite:///{tmp_path_factory.mktemp('tracker')}/tracker.db"},
    ) as assistant:
        yield assistant.rasa_url


@pytest.fixture(scope="session")
def site(web_port: int, rasa_url: str) -> Iterator[Site]:
    with serving_web(web_port, rasa_url):
        yield Site(web_port)


@pytest.fixture(scope="session")
def site_without_server() -> Iterator[Site]:
    """The pages, pointed at a port where no server listens."""
    port, closed_port = free_port(), free_port()
    with serving_web(port, f"http://127.0.0.1:{closed_port}"):
        yield Site(port)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        subprocess.run([str(PROJECT_ROOT / "scripts" / "install_chromium.sh")], check=False)
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/install_chromium.sh")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh context (fresh sessionStorage, so a new conversation).

    The test fails if the page logs a script error or a CSP violation, or requests
    anything from another host.
    """
    contexts = []
    errors: List[str] = []

    def open_(url: str, phone: bool = False, expect_network_errors: bool = False) -> Page:
        options = (
            dict(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
            if phone
            else dict(viewport=DESKTOP)
        )
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))

        def on_console(message) -> None:
            text = message.text
            if message.type != "error":
                return
            if expect_network_errors and "Failed to load resource" in text:
                return
            errors.append(f"console: {text}")

        page.on("console", on_console)

        def on_request(request) -> None:
            # Nothing is fetched from anywhere but the pages' server and the assistant.
            if urlsplit(request.url).hostname not in LOOPBACK:
                errors.append(f"external request: {request.url}")

        page.on("request", on_request)
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors
