"""Code sections and clinic policies show as chips beside the document's passages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from actions.content_version import content_version
from actions.knowledge import for_regions, knowledge_base, points_used
from actions.sources import codes_used
from project.clinic import clinic

from .chat import Chat, reply_with

pytestmark = pytest.mark.browser

CODE = {
    "id": "apa-10.08",
    "cite_as": "APA 10.08",
    "title": "Sexual intimacies with former therapy clients",
    "paraphrase": "Not for at least two years after therapy ends, and even then only rarely.",
    "url": "https://www.apa.org/ethics/code",
}
POLICY = {
    "id": "clinic-gifts",
    "cite_as": "the clinic's policy",
    "title": "Gifts from clients",
    "paraphrase": "Therapists may accept a small, inexpensive token of thanks.",
}
PASSAGE = {
    "id": "power_imbalance",
    "title": "Power imbalance",
    "passage": "The therapeutic relationship inherently involves a power dynamic.",
}
REPLY = [
    {"recipient_id": "x", "text": "APA 10.08 and the clinic's policy say so."},
    {
        "recipient_id": "x",
        "custom": {
            "kind": "answer",
            "topic": "romance",
            "points": ["power_imbalance"],
            "sources": [PASSAGE],
            "codes": ["apa-10.08", "clinic-gifts"],
            "code_sources": [CODE, POLICY],
            "content_version": content_version(),
        },
    },
]


def test_a_reply_with_codes_shows_their_chips_and_each_opens_its_summary(
    open_page, site, artifacts
):
    page = open_page(site.url("/"))
    chat = Chat(page)
    chat.open()
    reply_with(page, REPLY)

    reply = chat.ask("can I date my former therapist?")

    assert chat.chips(reply) == ["Power imbalance", "APA 10.08", "Gifts from clients"]
    code_chip = reply.get_by_role("button", name="APA 10.08")
    expect(code_chip).to_have_attribute("data-code-id", "apa-10.08")
    code_chip.click()
    expect(code_chip).to_have_attribute("aria-expanded", "true")
    panel = reply.get_by_role("region", name=f"Code section: APA 10.08: {CODE['title']}")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(CODE["paraphrase"])
    link = panel.get_by_role("link", name="Read APA 10.08 (opens in a new tab)")
    expect(link).to_have_attribute("href", CODE["url"])
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    page.screenshot(path=artifacts / "code-chip-open.png")

    policy_chip = reply.get_by_role("button", name="Gifts from clients")
    policy_chip.click()
    expect(panel).to_be_hidden()  # one source open at a time
    policy = reply.get_by_role("region", name="Clinic policy: Gifts from clients")
    expect(policy).to_contain_text(POLICY["paraphrase"])
    expect(policy).to_contain_text("Harbour Street Counselling's own policy")
    expect(policy.get_by_role("link")).to_have_count(0)

    page.reload()  # the kept transcript draws the same chips
    chat.open()
    assert chat.chips(chat.last_reply()) == ["Power imbalance", "APA 10.08", "Gifts from clients"]


def test_the_assistants_own_answer_shows_its_code_chips(open_page, site):
    """The therapists' touch suggestion: the real answer, its passages, codes and policy."""
    kb = knowledge_base()
    parts = for_regions(kb.answer("touch", "therapist"), clinic().regions)
    cited = [kb.sources[code] for code in codes_used(parts)]
    codes = [source for source in cited if source.url]
    assert codes, "the therapists' touch answer cites code sections"
    page = open_page(site.url("/therapist/"))
    chat = Chat(page)
    before = chat.bot_turns.count()

    chat.log.locator(".bc-suggestion[data-payload='/ask_touch']").click()

    reply = chat.wait_for_reply(before)
    expect(reply).to_have_attribute("data-kind", "answer")
    passages = [kb.points[point].title for point in points_used(parts)]
    labels = [s.title if s.id.startswith("clinic-") else s.cite_as for s in cited]
    assert chat.chips(reply) == passages + labels
    chip = reply.locator(f"button.bc-chip[data-code-id='{codes[0].id}']")
    chip.click()
    panel = page.locator("#" + str(chip.get_attribute("aria-controls")))
    expect(panel).to_contain_text(codes[0].paraphrase)
    expect(panel.get_by_role("link")).to_have_attribute("href", str(codes[0].url))
