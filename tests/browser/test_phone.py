"""On a phone-sized screen (390 x 844) both pages fit, and the chat fills the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .chat import Chat

pytestmark = pytest.mark.browser

QUESTION = "can i be friends with my therapist after therapy ends"


def fits_the_width(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_on_a_phone_the_clinic_chat_fills_the_screen(open_page, site, artifacts):
    page = open_page(site.url("/"), phone=True)
    chat = Chat(page)
    fits_the_width(page)
    launcher = chat.launcher.bounding_box()
    assert launcher["x"] + launcher["width"] <= 390 and launcher["y"] + launcher["height"] <= 844
    page.screenshot(path=artifacts / "clinic-phone-home.png")

    chat.launcher.tap()
    expect(chat.panel).to_be_visible()
    assert chat.panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
    reply = chat.ask(QUESTION)
    expect(reply.locator(".bc-chip").first).to_be_visible()
    fits_the_width(page)
    page.screenshot(path=artifacts / "clinic-phone.png")

    # The full-screen panel hides the page, so Tab cycles within it.
    close = page.get_by_role("button", name="Close chat")
    page.get_by_role("button", name="New conversation").focus()
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="New conversation")).to_be_focused()

    close.tap()
    expect(chat.panel).to_be_hidden()


def test_on_a_phone_the_therapists_page_starts_with_the_chat(open_page, site, artifacts):
    page = open_page(site.url("/therapist/"), phone=True)
    chat = Chat(page)
    panel = chat.panel.bounding_box()
    assert panel["y"] < 300 and panel["width"] <= 390
    expect(chat.input).to_be_in_viewport()

    reply = chat.ask("a former client wants to be friends, what should i do?")
    expect(reply).to_have_attribute("data-kind", "answer")
    fits_the_width(page)
    reply.locator(".bc-sources").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "therapist-phone.png")
