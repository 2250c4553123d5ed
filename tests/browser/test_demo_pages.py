"""The demo pages say they are a demo, and the widget offers questions to start with,
among them every topic of ongoing therapy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from project.topics import DURING_THERAPY_TOPICS

from .chat import Chat

pytestmark = pytest.mark.browser

PAGES = (("/", "client"), ("/therapist/", "therapist"))


@pytest.mark.parametrize("path", [path for path, _ in PAGES])
def test_each_demo_page_says_it_is_a_demo(open_page, site, path):
    page = open_page(site.url(path))
    banner = page.locator(".demo-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Demo page: replace with your clinic's")
    box = banner.bounding_box()
    assert box and box["y"] < 5, "the banner is the first thing on the page"


def suggestion_payloads(chat: Chat):
    return chat.log.locator(".bc-suggestion").evaluate_all(
        "buttons => buttons.map(b => b.dataset.payload)"
    )


@pytest.mark.parametrize("path, role", PAGES)
def test_the_suggestions_cover_every_topic_of_ongoing_therapy(open_page, site, path, role):
    page = open_page(site.url(path))
    chat = Chat(page)
    if role == "client":
        chat.open()
    payloads = suggestion_payloads(chat)
    assert {f"/ask_{topic}" for topic in DURING_THERAPY_TOPICS} <= set(payloads)
    group = chat.log.get_by_role("group", name="Questions you could ask")
    shown = group.locator(".bc-suggestion:visible")
    expect(shown).to_have_count(4)
    group.get_by_role("button", name="More questions").click()
    expect(group.locator(".bc-suggestion:visible")).to_have_count(len(payloads))
    expect(group.get_by_role("button", name="More questions")).to_have_count(0)


def test_a_suggestion_asks_its_topic_and_the_suggestions_go(open_page, site):
    page = open_page(site.url("/"))
    chat = Chat(page)
    chat.open()
    question = chat.log.locator(".bc-suggestion").first
    title = question.inner_text()
    payload = question.get_attribute("data-payload")
    before = chat.bot_turns.count()

    question.click()

    reply = chat.wait_for_reply(before)
    assert chat.requests[-1]["message"] == payload
    expect(chat.user_turns.last).to_contain_text(title)
    expect(reply).to_have_attribute("data-kind", "answer")
    expect(chat.log.locator(".bc-suggestions")).to_have_count(0)
    page.reload()
    chat.open()
    expect(chat.log.locator(".bc-suggestions")).to_have_count(0)
