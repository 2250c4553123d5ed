""" "Was this helpful?" under answers, against the real assistant in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .chat import Chat

pytestmark = pytest.mark.browser
QUESTION = "Can I be friends with my former client after therapy ends?"


def test_a_helpful_vote_is_sent_with_the_answer_topic_and_version(open_page, site):
    page = open_page(site.url("/therapist/"))
    chat = Chat(page)
    answer = chat.ask(QUESTION)
    expect(answer).to_have_attribute("data-kind", "answer")
    group = answer.get_by_role("group", name="Was this helpful?")
    expect(group).to_be_visible()
    before = chat.bot_turns.count()
    group.get_by_role("button", name="Yes", exact=True).click()
    thanks = chat.wait_for_reply(before)
    expect(thanks).to_have_attribute("data-kind", "smalltalk")
    assert "Thank you" in Chat.texts(thanks)
    expect(page.locator(".bc-feedback")).to_have_count(0)
    vote = chat.requests[-1]["metadata"]["feedback"]
    assert vote["vote"] == "yes" and vote["topic"] == "friendship"
    assert re.fullmatch(r"[0-9a-f]{12}", vote["content_version"])


def test_a_note_with_crisis_language_gets_crisis_help_by_keyboard(open_page, site):
    page = open_page(site.url("/therapist/"))
    chat = Chat(page)
    answer = chat.ask(QUESTION)
    expect(answer).to_have_attribute("data-kind", "answer")
    no = answer.get_by_role("button", name="No", exact=True)
    no.focus()
    page.keyboard.press("Enter")
    note = page.get_by_label("What was missing? (optional)")
    expect(note).to_be_focused()
    expect(no).to_have_attribute("aria-expanded", "true")
    before = chat.bot_turns.count()
    page.keyboard.type("nothing helps, I want to end my life")
    page.keyboard.press("Enter")
    reply = chat.wait_for_reply(before)
    expect(reply).to_have_attribute("data-kind", "crisis")
    sent = chat.requests[-1]
    assert sent["message"] == "nothing helps, I want to end my life"
    assert sent["metadata"]["feedback"]["vote"] == "no"
