"""The content review (make review) opens in Chromium, self-contained, readable and signable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from actions.content_version import content_version
from actions.knowledge import TOPICS, knowledge_base
from operations.review.pdf import to_pdf

from .conftest import DESKTOP, PROJECT_ROOT

pytestmark = pytest.mark.browser
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"


@pytest.fixture(scope="module")
def review(tmp_path_factory) -> Path:
    """The review's HTML, written as make review writes it (in a process of its own:
    Playwright's event loop would stop the actions' own from running here)."""
    folder = tmp_path_factory.mktemp("review")
    subprocess.run(
        [sys.executable, "-m", "operations.review", "--out", str(folder), "--no-pdf"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    [page] = folder.glob("review-*.html")
    return page


@pytest.mark.usefixtures("browser")  # which installs Chromium where it is missing
def test_chromium_prints_it_to_pdf(review: Path):
    pdf = review.with_suffix(".pdf")
    assert to_pdf(review, pdf) == "chromium"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_review_shows_every_topic_with_sources_and_reviewer_fields(browser, review: Path):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(review.as_uri())

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Every reply of the boundaries assistant"
    )
    expect(page.locator(".facts")).to_contain_text(content_version())
    for topic in TOPICS:
        title = knowledge_base().topics[topic].title
        expect(page.get_by_role("heading", level=2, name=title, exact=True)).to_have_count(1)
    for title in ("Romance variants", "Crisis", "Misconduct", "Sources", "Sign-off"):
        expect(page.get_by_role("heading", level=2, name=title, exact=True)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-top.png"))

    first = page.locator("#r-topic-friendship-answer-client")
    page.locator("#s-topic-friendship").evaluate("part => part.scrollIntoView()")
    expect(first.locator(".sources .src-point").first).to_be_visible()
    expect(first.locator(".texts p").first).not_to_be_empty()
    page.screenshot(path=str(SCREENSHOTS / "review-replies.png"))

    same = page.locator(".reply-same a").first
    target = same.get_attribute("href")
    same.click()
    expect(page.locator(str(target))).to_be_in_viewport()

    final = page.locator("#s-signoff fieldset")
    final.scroll_into_view_if_needed()
    name = final.get_by_label("Reviewer's name")
    name.fill("A. Director")
    expect(name).to_have_value("A. Director")
    final.get_by_label("Approved").check()
    expect(final.get_by_label("Changes needed")).not_to_be_checked()
    expect(final.get_by_label("Date")).to_be_editable()
    expect(final.get_by_label("Comments")).to_be_editable()
    # One per part of the document, the sources excepted, and one for the whole.
    parts = page.locator("section.part").count()
    expect(page.get_by_label("Reviewer's name")).to_have_count(parts - 1)
    page.screenshot(path=str(SCREENSHOTS / "review-signoff.png"))

    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    context.close()
