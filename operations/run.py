"""`make run`: starts the assistant, waits until it answers, stops it on Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from operations.processes import (
    newest_model,
    rasa_environment,
    spawn,
    start_servers,
    wait_until_up,
)
from project.clinic import CLINIC_DIR, CLINIC_FILE, placeholders
from project.paths import PROJECT_ROOT

CURL_EXAMPLE = (
    "curl -s -X POST {url}/webhooks/rest/webhook \\\n"
    "  -H 'Content-Type: application/json' \\\n"
    "  -d '"
    '{{"sender": "demo", '
    '"message": "Can I be friends with my therapist after therapy ends?", '
    '"metadata": {{"role": "client"}}}}'
    "'"
)


def placeholder_notice(directory: Path = CLINIC_DIR) -> str:
    """What clinic.yml still leaves to fill in, and what replies do meanwhile; "" when nothing."""
    missing = placeholders(directory)
    if not missing:
        return ""
    lines = "\n".join(f"  - {path}" for path in missing)
    return (
        f"Note: clinic/{CLINIC_FILE} still has placeholders ([FILL IN: ...]):\n{lines}\n"
        "Replies leave these out until they are filled in; without a phone or an email, a "
        "request for a person is told the clinic has not set up its contact details yet. "
        "make review lists them too."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080)
    args = parser.parse_args()

    notice = placeholder_notice()
    if notice:
        print(notice + "\n", flush=True)
    model = newest_model()
    print(f"Starting the assistant with {model.name} (about a minute)...", flush=True)
    running = start_servers(
        rasa_port=args.rasa_port,
        action_port=args.action_port,
        model=model,
        log_dir=PROJECT_ROOT / "logs",
    )
    # The pages call the Rasa server from http://localhost:<web port>, one of the
    # origins CORS allows (clinic/clinic.yml, web_origins).
    web_url = f"http://localhost:{args.web_port}"
    web = spawn(
        [
            sys.executable,
            str(PROJECT_ROOT / "web" / "serve.py"),
            str(args.web_port),
            "--rasa-url",
            f"http://localhost:{args.rasa_port}",
        ],
        running.log_dir / "web.log",
        rasa_environment(),
    )
    running.extra.append(web)
    try:
        wait_until_up(f"http://127.0.0.1:{args.web_port}/", 30, web)
    except Exception:
        running.stop()
        raise
    print(
        f"\nThe assistant is running.\n"
        f"  Clinic page (client):       {web_url}/\n"
        f"  Therapists' page:           {web_url}/therapist/\n"
        f"  Rasa server (REST channel): {running.rasa_url}/webhooks/rest/webhook\n"
        f"  Action server:              {running.action_url}\n"
        f"  Logs:                       {running.log_dir}/\n\n"
        f"Talk to it:\n{CURL_EXAMPLE.format(url=running.rasa_url)}\n\n"
        + (f"{notice}\n\n" if notice else "")
        + "Press Ctrl-C to stop.",
        flush=True,
    )

    stopping = False

    def request_stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        while not stopping:
            servers = (
                ("Rasa server", running.rasa),
                ("action server", running.actions),
                ("web server", web),
            )
            for name, process in servers:
                if process.poll() is not None:
                    print(
                        f"The {name} stopped (exit code {process.returncode}); "
                        f"see {running.log_dir}/",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(0.5)
    finally:
        print("\nStopping...", flush=True)
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
