"""`make review`: writes the review of every reply (HTML, and PDF where it can).

    python -m operations.review [--out FOLDER] [--no-pdf]

The files are named after the content version, so a signed review is never
overwritten by one of newer content.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from operations.review.document import build
from operations.review.pdf import to_pdf
from operations.review.render import count, to_html
from project.paths import PROJECT_ROOT

DEFAULT_FOLDER = PROJECT_ROOT / "results" / "review"


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_FOLDER, help="folder to write to")
    parser.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    args = parser.parse_args(argv)

    review = build()
    args.out.mkdir(parents=True, exist_ok=True)
    html = args.out / f"review-{review.content_version}.html"
    html.write_text(to_html(review), encoding="utf-8")
    print(f"Content version {review.content_version}: {count(review.sections)} replies.")
    print(f"Review: {html}")
    if review.placeholders:
        print(f"Still placeholders in clinic/clinic.yml: {', '.join(review.placeholders)}")
    if args.no_pdf:
        return 0
    pdf = html.with_suffix(".pdf")
    converter = to_pdf(html, pdf)
    if converter:
        print(f"PDF ({converter}): {pdf}")
    else:
        print(
            "No PDF: no converter found (Debian's chromium, wkhtmltopdf or weasyprint). "
            "Open the HTML in a browser and print it, or install one and run make review again."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
