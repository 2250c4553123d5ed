"""The clinic's home page: a client asks, and reads a grounded answer or crisis help."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from .chat import WEBHOOK, Chat, normalise
from .expected import answer_sources, answer_text

pytestmark = pytest.mark.browser

# What encodeURIComponent leaves as it is.
SMS_BODY_SAFE = "-_.!~*'()"
QUESTION = "can i be friends with my therapist after therapy ends"
KEYPAD = {
    letter: str(digit)
    for digit, letters in {
        2: "abc",
        3: "def",
        4: "ghi",
        5: "jkl",
        6: "mno",
        7: "pqrs",
        8: "tuv",
        9: "wxyz",
    }.items()
    for letter in letters
}


def is_webhook(response) -> bool:
    return response.url.endswith(WEBHOOK) and response.request.method == "POST"


def custom_of(entries) -> dict:
    return next(entry["custom"] for entry in entries if "custom" in entry)


def dialable(number: str) -> str:
    """The digits a phone dials for "116 123" or "800-656-HOPE (4673)"."""
    number = re.sub(r"\(.*?\)", "", number).lower()
    number = "".join(KEYPAD.get(c, c) for c in number)
    return ("+" if number.strip().startswith("+") else "") + re.sub(r"\D", "", number)


def test_a_question_gets_a_grounded_answer_with_its_sources(open_page, site, artifacts):
    page = open_page(site.url("/"))
    chat = Chat(page)
    expect(chat.panel).to_be_hidden()
    chat.open()
    expect(chat.input).to_be_focused()

    with page.expect_response(is_webhook) as response:
        reply = chat.ask(QUESTION)

    custom = custom_of(response.value.json())
    assert (custom["kind"], custom["topic"]) == ("answer", "friendship")
    assert chat.requests[-1] == {
        "sender": chat.sender(),
        "message": QUESTION,
        "metadata": {"role": "client"},
    }
    expect(chat.user_turns.last).to_have_text(re.compile(re.escape(QUESTION)))
    expect(reply).to_have_attribute("data-kind", "answer")
    assert answer_text("friendship", "client") in chat.texts(reply)

    sources = answer_sources("friendship", "client")
    assert chat.chips(reply) == [source["title"] for source in sources]
    reply.locator(".bc-sources").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "clinic-desktop.png")

    # A chip opens the passage of the clinic's document it stands for.
    source = next((s for s in sources if s["id"] == "power_imbalance"), sources[0])
    chip = reply.get_by_role("button", name=source["title"])
    expect(chip).to_have_attribute("aria-expanded", "false")
    chip.click()
    expect(chip).to_have_attribute("aria-expanded", "true")
    passage = page.locator("#" + chip.get_attribute("aria-controls"))
    expect(passage).to_be_visible()
    assert normalise(passage.locator("blockquote").text_content()) == source["passage"]
    page.screenshot(path=artifacts / "clinic-passage-desktop.png")

    chip.click()
    expect(passage).to_be_hidden()


def test_a_crisis_reply_stands_out_and_its_numbers_are_links(open_page, site, artifacts):
    page = open_page(site.url("/"))
    chat = Chat(page)
    chat.open()
    with page.expect_response(is_webhook) as response:
        reply = chat.ask("i want to kill myself")

    custom = custom_of(response.value.json())
    assert custom["kind"] == "crisis"
    expect(reply).to_have_attribute("data-kind", "crisis")
    expect(reply.locator(".bc-crisis-heading")).to_be_visible()
    background, border = reply.evaluate(
        "node => [getComputedStyle(node).backgroundColor, getComputedStyle(node).borderLeftWidth]"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert border == "5px"
    # Crisis replies interrupt the screen reader; other replies wait their turn.
    expect(page.locator(".bc-panel [aria-live=assertive]")).to_contain_text("support")
    expect(chat.log).to_have_attribute("aria-live", "polite")

    expect(reply.locator(".bc-resources")).to_have_count(1)
    resources = custom["resources"]
    expected = {f"tel:{dialable(r['phone'])}" for r in resources if r.get("phone")}
    for resource in resources:
        if resource.get("sms"):
            body = resource.get("sms_body")
            query = f"?&body={quote(body, safe=SMS_BODY_SAFE)}" if body else ""
            expected.add(f"sms:{dialable(resource['sms'])}{query}")
    assert any(href.startswith("sms:") for href in expected), resources
    links = reply.locator(".bc-resources a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert expected <= set(links)
    for href in links:
        assert re.fullmatch(r"tel:\+?\d+|sms:\+?\d+(\?&body=[\w%.!~*'()-]+)?|https?://\S+", href), (
            href
        )

    reply.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "clinic-crisis-desktop.png")


def test_a_reload_keeps_the_conversation_and_new_conversation_starts_afresh(open_page, site):
    page = open_page(site.url("/"))
    chat = Chat(page)
    chat.open()
    chat.ask("hello")
    sender = chat.sender()
    assert sender

    page.reload()
    chat.open()
    expect(chat.user_turns).to_have_count(1)
    expect(chat.bot_turns).to_have_count(1)
    assert chat.sender() == sender
    # Kept for this tab only: nothing is left for the next person at a shared computer.
    assert page.evaluate("() => localStorage.length") == 0

    page.get_by_role("button", name="New conversation").click()
    expect(chat.user_turns).to_have_count(0)
    expect(chat.bot_turns).to_have_count(0)
    expect(chat.input).to_be_focused()
    assert chat.sender() not in (None, sender)

    chat.ask("hello")
    assert chat.requests[-1]["sender"] == chat.sender()


def test_while_the_assistant_answers_a_typing_indicator_shows(open_page, site):
    page = open_page(site.url("/"))
    chat = Chat(page)
    held = []
    page.route("**" + WEBHOOK, lambda route: held.append(route))  # held until let go
    chat.open()
    chat.input.fill("hello")
    chat.input.press("Enter")

    typing = page.locator(".bc-typing")
    expect(typing).to_be_visible()
    expect(typing).to_have_attribute("role", "status")
    expect(page.get_by_role("button", name="Send message")).to_be_disabled()

    assert len(held) == 1
    held[0].continue_()
    chat.wait_for_reply(0)
    expect(typing).to_be_hidden()
    expect(page.get_by_role("button", name="Send message")).to_be_enabled()
