"""When the assistant cannot be reached, the page says so and Retry sends the message again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .chat import WEBHOOK, Chat

pytestmark = pytest.mark.browser

QUESTION = "can i be friends with my therapist after therapy ends"


def send(chat: Chat, text: str) -> None:
    chat.input.fill(text)
    chat.input.press("Enter")


@pytest.mark.parametrize("failure", ["network error", "server error"])
def test_retry_sends_the_same_message_once_the_server_answers_again(open_page, site, failure):
    page = open_page(site.url("/"), expect_network_errors=True)
    chat = Chat(page)

    def fail(route) -> None:
        if failure == "network error":
            route.abort("connectionrefused")
        else:
            route.fulfill(
                status=503, body="Service Unavailable", headers={"Access-Control-Allow-Origin": "*"}
            )

    page.route("**" + WEBHOOK, fail)
    chat.open()
    send(chat, QUESTION)

    error = chat.log.locator(".bc-error")
    expect(error).to_contain_text("can't be reached")
    retry = error.get_by_role("button", name="Retry")
    expect(retry).to_be_focused()
    expect(page.locator(".bc-typing")).to_be_hidden()

    page.unroute("**" + WEBHOOK)  # the server is back
    page.keyboard.press("Enter")
    reply = chat.wait_for_reply(0)
    expect(reply).to_have_attribute("data-kind", "answer")
    expect(error).to_have_count(0)
    expect(chat.user_turns).to_have_count(1)
    assert [r["message"] for r in chat.requests] == [QUESTION, QUESTION]
    assert chat.requests[0]["sender"] == chat.requests[1]["sender"]
    expect(chat.input).to_be_focused()


def test_with_no_server_the_page_says_so_and_keeps_offering_retry(
    open_page, site_without_server, artifacts
):
    page = open_page(site_without_server.url("/"), expect_network_errors=True)
    chat = Chat(page)
    chat.open()
    send(chat, QUESTION)

    error = chat.log.locator(".bc-error")
    expect(error).to_contain_text("can't be reached")
    expect(chat.user_turns).to_have_count(1)
    page.screenshot(path=artifacts / "clinic-server-down.png")

    error.get_by_role("button", name="Retry").click()
    expect(error).to_have_count(1)
    expect(error.get_by_role("button", name="Retry")).to_be_visible()
    assert [r["message"] for r in chat.requests] == [QUESTION, QUESTION]
    expect(chat.user_turns).to_have_count(1)
