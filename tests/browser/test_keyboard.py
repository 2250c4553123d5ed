"""Everything works by keyboard alone: open, type, send, quick replies, chips, close."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from .chat import Chat

pytestmark = pytest.mark.browser


def has_focus(locator: Locator) -> bool:
    return locator.evaluate_all("nodes => nodes.includes(document.activeElement)")


def press_until_focused(page: Page, key: str, target: Locator, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if has_focus(target):
            return
    pytest.fail(f"{key} never reached {target}")


def test_the_chat_works_by_keyboard_alone(open_page, site):
    page = open_page(site.url("/"))
    chat = Chat(page)

    press_until_focused(page, "Tab", chat.launcher)
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()

    # A follow-up with nothing to follow: the assistant offers choices as quick replies.
    page.keyboard.type("why not?")
    page.keyboard.press("Enter")
    reply = chat.wait_for_reply(0)
    expect(reply).to_have_attribute("data-kind", "clarify")
    expect(chat.input).to_be_focused()
    quick_replies = reply.locator(".bc-quick")
    expect(quick_replies.first).to_be_visible()

    press_until_focused(page, "Shift+Tab", quick_replies)
    title = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(chat.user_turns.last).to_contain_text(title)
    assert chat.requests[-1]["message"].startswith("/")  # the payload, not the title
    expect(chat.input).to_be_focused()
    answer = chat.wait_for_reply(1)
    expect(answer).to_have_attribute("data-kind", "answer")
    expect(chat.log.locator(".bc-quick")).to_have_count(0)

    chips = answer.locator("button.bc-chip")
    press_until_focused(page, "Shift+Tab", chips)
    page.keyboard.press("Enter")
    chip = answer.locator("button.bc-chip[aria-expanded=true]")
    expect(chip).to_have_count(1)
    expect(page.locator("#" + chip.get_attribute("aria-controls"))).to_be_visible()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible

    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
