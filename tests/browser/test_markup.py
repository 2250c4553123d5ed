"""Markup typed by a person or sent by a server is shown as text and never runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .chat import Chat, reply_with

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__xss=1">'


def no_script_ran(page) -> None:
    assert page.evaluate("() => typeof window.__xss") == "undefined"


def test_markup_typed_by_a_person_is_shown_as_text(open_page, site):
    page = open_page(site.url("/"))
    chat = Chat(page)
    chat.open()
    chat.ask(HOSTILE)

    expect(chat.user_turns.last.locator(".bc-bubble")).to_have_text(HOSTILE)
    expect(chat.log.locator("img")).to_have_count(0)
    no_script_ran(page)
    assert chat.requests[-1]["message"] == HOSTILE

    page.reload()  # the kept transcript is rendered as text too
    chat.open()
    expect(chat.user_turns.last.locator(".bc-bubble")).to_have_text(HOSTILE)
    expect(chat.log.locator("img")).to_have_count(0)
    no_script_ran(page)


def test_markup_in_a_reply_is_shown_as_text(open_page, site):
    """A reply from a compromised or misconfigured server cannot inject markup or links."""
    hostile_reply = [
        {"recipient_id": "x", "text": "javascript:window.__xss=1 https://example.org/help."},
        {
            "recipient_id": "x",
            "text": HOSTILE + "\nsecond line",
            "buttons": [{"title": HOSTILE, "payload": "/greet"}],
        },
        {
            "recipient_id": "x",
            "custom": {
                "kind": "answer",
                "topic": "friendship",
                "points": ["power_imbalance"],
                "sources": [{"id": "power_imbalance", "title": HOSTILE, "passage": HOSTILE}],
                "resources": [
                    {"name": HOSTILE, "phone": "<b>988</b>", "url": "javascript:window.__xss=1"}
                ],
            },
        },
    ]
    page = open_page(site.url("/"))
    reply_with(page, hostile_reply)
    chat = Chat(page)
    chat.open()
    reply = chat.ask("hello")

    # Web addresses become links; nothing else does.
    links = reply.locator(".bc-bubble a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/help")
    bubble = reply.locator(".bc-bubble").nth(1)
    expect(bubble).to_have_text(HOSTILE + "\nsecond line")
    assert bubble.inner_text().splitlines() == [HOSTILE, "second line"]  # line breaks kept
    expect(reply.locator(".bc-quick")).to_have_text(HOSTILE)
    expect(reply.locator(".bc-resource-name")).to_have_text(HOSTILE)
    chip = reply.locator(".bc-chip")
    expect(chip).to_have_text(HOSTILE)
    chip.click()
    expect(reply.locator(".bc-passage blockquote")).to_have_text(HOSTILE)
    expect(chat.log.locator("img, b, script")).to_have_count(0)
    expect(chat.log.locator("a[href^='javascript:']")).to_have_count(0)
    no_script_ran(page)
