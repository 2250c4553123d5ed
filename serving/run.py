"""`make run`: starts the assistant, waits until it answers, stops it on Ctrl-C."""
from __future__ import annotations

import argparse
import signal
import sys
import time

from serving.processes import PROJECT_ROOT, newest_model, start_servers

CURL_EXAMPLE = """curl -s -X POST {url}/webhooks/rest/webhook \\
  -H 'Content-Type: application/json' \\
  -d '{{"sender": "demo", "message": "Can I be friends with my therapist after therapy ends?", "metadata": {{"role": "client"}}}}'"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    args = parser.parse_args()

    model = newest_model()
    print(f"Starting the assistant with {model.name} (about a minute)...", flush=True)
    running = start_servers(
        rasa_port=args.rasa_port,
        action_port=args.action_port,
        model=model,
        log_dir=PROJECT_ROOT / "logs",
    )
    print(
        f"\nThe assistant is running.\n"
        f"  Rasa server (REST channel): {running.rasa_url}/webhooks/rest/webhook\n"
        f"  Action server:              {running.action_url}\n"
        f"  Logs:                       {running.log_dir}/\n\n"
        f"Talk to it:\n{CURL_EXAMPLE.format(url=running.rasa_url)}\n\n"
        f"Press Ctrl-C to stop.",
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
            for name, process in (("Rasa server", running.rasa), ("action server", running.actions)):
                if process.poll() is not None:
                    print(f"The {name} stopped (exit code {process.returncode}); see {running.log_dir}/",
                          file=sys.stderr)
                    return 1
            time.sleep(0.5)
    finally:
        print("\nStopping...", flush=True)
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
