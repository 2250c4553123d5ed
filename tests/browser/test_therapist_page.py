"""The therapists' page: the widget is open beside the page and speaks to therapists."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .chat import Chat
from .expected import answer_sources, answer_text

pytestmark = pytest.mark.browser


def test_the_therapists_page_sends_role_therapist_and_gets_a_therapists_answer(
    open_page, site, artifacts
):
    # From the second origin the Rasa server allows.
    page = open_page(site.url("/therapist/", host="127.0.0.1"))
    chat = Chat(page)
    expect(chat.panel).to_be_visible()
    expect(chat.launcher).to_have_count(0)

    reply = chat.ask("can a therapist be friends with a former client after therapy ends?")

    assert chat.requests[-1]["metadata"] == {"role": "therapist"}
    expect(reply).to_have_attribute("data-kind", "answer")
    text = chat.texts(reply)
    assert answer_text("friendship", "therapist") in text
    assert answer_text("friendship", "client") not in text
    assert chat.chips(reply) == [s["title"] for s in answer_sources("friendship", "therapist")]
    reply.locator(".bc-sources").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "therapist-desktop.png")
