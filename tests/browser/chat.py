"""What a person does with the chat widget, and what the tests read back from it."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

from playwright.sync_api import Locator, Page, Request, expect

REPLY_TIMEOUT_MS = 60_000
WEBHOOK = "/webhooks/rest/webhook"


def reply_with(page: Page, messages: List[Dict[str, Any]]) -> None:
    """Answers every message the page sends with `messages`, as the server would."""
    page.route(
        "**" + WEBHOOK,
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(messages),
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Chat:
    """The widget on a page: the launcher's panel on the clinic's page, or the open
    side panel on the therapists' page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: List[Dict[str, Any]] = []
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith(WEBHOOK):
            self.requests.append(json.loads(request.post_data or "{}"))

    # ------------------------------------------------------------------ parts

    @property
    def launcher(self) -> Locator:
        return self.page.locator(".bc-launcher")

    @property
    def panel(self) -> Locator:
        return self.page.locator(".bc-panel")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log")

    @property
    def input(self) -> Locator:
        return self.page.get_by_label("Your message")

    @property
    def bot_turns(self) -> Locator:
        """The assistant's replies, without the greeting."""
        return self.log.locator(".bc-turn--bot:not(.bc-turn--greeting)")

    @property
    def user_turns(self) -> Locator:
        return self.log.locator(".bc-turn--user")

    def last_reply(self) -> Locator:
        return self.bot_turns.last

    def sender(self) -> Optional[str]:
        return self.page.evaluate(
            "() => sessionStorage.getItem('boundaries-chat:' + "
            "(document.querySelector('.bc-role-therapist') ? 'therapist' : 'client') + ':sender')"
        )

    # ------------------------------------------------------------------ actions

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()

    def ask(self, text: str) -> Locator:
        """Types a message, sends it with Enter and returns the reply turn."""
        before = self.bot_turns.count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_for_reply(before)

    def wait_for_reply(self, before: int) -> Locator:
        expect(self.bot_turns).to_have_count(before + 1, timeout=REPLY_TIMEOUT_MS)
        expect(self.page.locator(".bc-typing")).to_be_hidden()
        return self.bot_turns.nth(before)

    @staticmethod
    def texts(turn: Locator) -> str:
        return normalise(" ".join(turn.locator(".bc-bubble").all_text_contents()))

    @staticmethod
    def chips(turn: Locator) -> List[str]:
        return [normalise(t) for t in turn.locator(".bc-chip").all_text_contents()]
