"""Printing the review to PDF with whichever converter the machine has.

Tried in order: Chromium (Debian's `chromium`, which the browser tests use too),
wkhtmltopdf, then WeasyPrint. None is required: without one, the HTML is the
review, and the reader can print it from a browser.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional, Tuple

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 180


def chromium_command(binary: str, html: Path, pdf: Path, profile: str) -> List[str]:
    return [
        binary,
        "--headless",
        "--no-sandbox",  # as root, Chromium refuses to start with its sandbox
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]


def converters() -> List[Tuple[str, str]]:
    """(name, executable) of each converter found, in the order they are tried."""
    found = []
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            found.append(("chromium", path))
            break
    for name in ("wkhtmltopdf", "weasyprint"):
        path = shutil.which(name)
        if path:
            found.append((name, path))
    return found


def to_pdf(html: Path, pdf: Path) -> Optional[str]:
    """Writes `pdf` from `html`; returns the converter's name, or None when none is installed
    or none succeeded."""
    for name, binary in converters():
        pdf.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="review-pdf-") as profile:
            if name == "chromium":
                command = chromium_command(binary, html, pdf, profile)
            elif name == "wkhtmltopdf":
                command = [binary, "--quiet", "--page-size", "A4", str(html), str(pdf)]
            else:
                command = [binary, str(html), str(pdf)]
            try:
                subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
            except (OSError, subprocess.TimeoutExpired):
                continue
        if pdf.exists() and pdf.stat().st_size > 0:
            return name
    return None
