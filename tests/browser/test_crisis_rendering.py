"""A crisis reply always reaches the person: in browsers that lack newer JavaScript, and
when the widget cannot draw its links and help lines."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from .chat import WEBHOOK, Chat, normalise, reply_with

pytestmark = pytest.mark.browser

CRISIS_MESSAGE = "i want to kill myself"

# Safari before 16.4 (every iPhone left on iOS 15) has no regexp lookbehind: `new RegExp`
# with one throws a SyntaxError. Chromium has it, so the test takes it away the same way.
SAFARI_15_REGEXP = """
(() => {
  const NativeRegExp = window.RegExp;
  const LOOKBEHIND = /\\(\\?<[=!]/;
  function RegExp(pattern, flags) {
    const source = pattern instanceof NativeRegExp ? pattern.source : String(pattern);
    if (LOOKBEHIND.test(source)) {
      throw new SyntaxError("Invalid regular expression: invalid group specifier name");
    }
    return new NativeRegExp(pattern, flags);
  }
  RegExp.prototype = NativeRegExp.prototype;
  window.RegExp = RegExp;
})();
"""


def open_chat(open_page, url: str, old_safari: bool = False) -> Chat:
    page = open_page(url)
    if old_safari:
        page.add_init_script(SAFARI_15_REGEXP)
        page.reload()
    chat = Chat(page)
    chat.open()
    return chat


def reply_texts(page: Page, message: str, chat: Chat):
    """Sends `message`; returns the reply turn and the texts the server sent."""
    with page.expect_response(
        lambda r: r.url.endswith(WEBHOOK) and r.request.method == "POST"
    ) as response:
        turn = chat.ask(message)
    texts = [entry["text"] for entry in response.value.json() if entry.get("text")]
    return turn, texts


def test_in_safari_before_16_4_a_crisis_reply_shows_with_its_numbers_as_links(open_page, site):
    chat = open_chat(open_page, site.url("/"), old_safari=True)
    assert chat.page.evaluate(
        "() => { try { new RegExp('(?<!a)b'); return false; } "
        "catch (e) { return e instanceof SyntaxError; } }"
    )

    reply = chat.ask(CRISIS_MESSAGE)

    expect(reply).to_have_attribute("data-kind", "crisis")
    expect(reply.locator(".bc-crisis-heading")).to_be_visible()
    expect(reply).not_to_have_class("bc-turn--plain")  # drawn in full, not the fallback
    expect(reply.locator(".bc-resources a[href='tel:988']")).to_be_visible()
    expect(reply.locator(".bc-resources a[href='tel:911']")).to_be_visible()


def test_numbers_written_in_a_crisis_reply_become_tel_links(open_page, site):
    """Numbers in the text are linked where they stand alone, without a regexp lookbehind."""
    text = (
        "Please call 911 now, or call or text 988. Booking 19880 and form A-988 are not help lines."
    )
    reply_entries = [
        {"recipient_id": "x", "text": text},
        {
            "recipient_id": "x",
            "custom": {
                "kind": "crisis",
                "resources": [
                    {
                        "name": "988 Suicide & Crisis Lifeline",
                        "region": "United States",
                        "phone": "988",
                        "sms": "988",
                    },
                    {"name": "Emergency services", "region": "United States", "phone": "911"},
                ],
            },
        },
    ]
    chat = open_chat(open_page, site.url("/"), old_safari=True)
    reply_with(chat.page, reply_entries)

    reply = chat.ask(CRISIS_MESSAGE)

    expect(reply).to_have_attribute("data-kind", "crisis")
    bubble = reply.locator(".bc-bubble")
    expect(bubble).to_have_text(text)
    links = bubble.locator("a")
    expect(links).to_have_count(2)
    assert links.evaluate_all(
        "links => links.map(a => [a.textContent, a.getAttribute('href')])"
    ) == [["911", "tel:911"], ["988", "tel:988"]]


def test_when_the_decorations_fail_the_crisis_reply_is_shown_as_plain_text(open_page, site):
    chat = open_chat(open_page, site.url("/"))
    # The widget is built; from now on drawing a reply's links throws, as a missing or
    # broken browser API would.
    chat.page.evaluate(
        "() => { Document.prototype.createTextNode = () => { "
        "throw new TypeError('createTextNode is broken'); }; }"
    )
    warnings = []
    chat.page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)

    reply, texts = reply_texts(chat.page, CRISIS_MESSAGE, chat)

    expect(reply).to_have_attribute("data-kind", "crisis")
    expect(reply).to_have_class("bc-turn bc-turn--bot bc-kind-crisis bc-turn--plain")
    expect(reply.locator(".bc-crisis-heading")).to_be_visible()
    assert texts and any("988" in text for text in texts)
    assert Chat.texts(reply) == normalise(" ".join(texts))
    for bubble in reply.locator(".bc-bubble").all():
        expect(bubble).to_be_visible()
    expect(chat.page.locator(".bc-panel [aria-live=assertive]")).to_contain_text(
        normalise(texts[0])
    )
    assert any("plain text" in w and "createTextNode is broken" in w for w in warnings), warnings
    expect(chat.input).to_be_enabled()


def test_a_kept_reply_the_widget_cannot_draw_is_shown_as_plain_text(open_page, site):
    """A transcript kept from an older version of the widget, or altered, still shows."""
    kept = [
        {"type": "user", "text": "help"},
        {
            "type": "bot",
            "turn": {
                "texts": ["Call or text 988, free, at any hour."],
                "customs": "not a list",
                "buttons": [],
            },
        },
    ]
    page = open_page(site.url("/"))
    page.add_init_script(
        "sessionStorage.setItem('boundaries-chat:client:transcript', %s);"
        % json.dumps(json.dumps(kept))
    )
    page.reload()
    chat = Chat(page)
    chat.open()

    expect(chat.bot_turns).to_have_count(1)
    expect(chat.bot_turns.first).to_have_class("bc-turn bc-turn--bot bc-turn--plain")
    expect(chat.bot_turns.first.locator(".bc-bubble")).to_have_text(
        "Call or text 988, free, at any hour."
    )
