"""The insights report opens in Chromium, self-contained, with its charts drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from insights.cli import build
from insights.events import Period
from insights.render import to_html
from tests.insights_report import fixture_store

from .conftest import DESKTOP, PROJECT_ROOT

pytestmark = pytest.mark.browser
# Written on every run, beside the other test results; docs/screenshots/insights.png is a
# copy of it taken for the documentation.
SCREENSHOT = PROJECT_ROOT / "results" / "screenshots" / "insights.png"


def test_the_report_shows_its_charts_and_fetches_nothing(browser, tmp_path: Path):
    db = tmp_path / "tracker.db"
    writer = fixture_store.build(db)
    engine = sa.create_engine(f"sqlite:///{db}")
    figures, themes, notes = build(engine, Period(writer.now - 30 * 86400, writer.now + 60))
    engine.dispose()
    report = tmp_path / "insights.html"
    report.write_text(to_html(figures, themes, notes, writer.now))

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    images = page.locator("img")
    assert images.count() >= 5
    for index in range(images.count()):
        expect(images.nth(index)).to_be_visible()
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth > 200")
        assert images.nth(index).get_attribute("alt")
    expect(page.get_by_role("heading", name="What it could not answer")).to_be_visible()
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    context.close()
