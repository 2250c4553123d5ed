"""`make review`: the document holds every reply as readers get it, with its sources."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest

from actions.content_version import content_version
from actions.knowledge import FOLLOWUPS, READERS, TOPICS, compose, for_regions, knowledge_base
from operations.review import __main__ as review_command
from operations.review import pdf
from operations.review.catalogue import entries
from operations.review.document import build
from operations.review.render import to_html
from project.clinic import CLINIC_FILE, clinic, placeholders


@pytest.fixture(scope="module")
def review():
    return build(datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def page(review):
    return to_html(review)


@pytest.fixture(scope="module")
def replies(review):
    return entries(review.sections)


def shown(text: str) -> str:
    return html.escape(text, quote=True)


def test_every_topic_reader_and_follow_up_is_in_the_review(review, page, replies):
    for topic in TOPICS:
        for question in ("answer", *FOLLOWUPS):
            for reader in READERS:
                key = f"topic-{topic}-{question}-{reader}"
                assert key in replies, key
                assert f'id="r-{key}"' in page
                assert replies[key][2].said.custom["kind"] in ("answer", "clarify")


def test_topics_with_an_ongoing_therapy_wording_show_it(review, replies):
    kb = knowledge_base()
    for topic in TOPICS:
        for reader in READERS:
            key = f"topic-{topic}-during-{reader}"
            assert (key in replies) == bool(kb.topics[topic].during), key


def test_the_answers_read_exactly_as_readers_get_them(page):
    kb = knowledge_base()
    for topic in TOPICS:
        for reader in READERS:
            parts = for_regions(kb.answer(topic, reader), clinic().regions)
            assert shown(compose(parts)) in page, (topic, reader)


def test_the_content_version_heads_the_page_and_is_in_every_reply(review, page, replies):
    assert review.content_version == content_version()
    assert page.count(content_version()) >= 2
    assert "2025-01-02 03:04 UTC" in page
    for _, _, entry in replies.values():
        if entry.key.startswith("too-long"):
            continue  # the channel's own reply, before any action runs
        assert entry.said.custom["content_version"] == content_version(), entry.key


def test_sources_are_shown_under_the_replies(review, page):
    kb = knowledge_base()
    for point in kb.points.values():
        assert shown(point.passage) in page
    cited = {code for part in kb.answer("romance", "therapist") for code in part.codes}
    for code in cited:
        assert shown(kb.sources[code].paraphrase) in page
        if kb.sources[code].url:
            assert f'href="{shown(kb.sources[code].url)}"' in page


def test_safety_replies_are_there_per_reader(replies):
    for reader in READERS:
        for key in ("crisis-own", "crisis-domestic_violence", "crisis-someone_else"):
            assert replies[f"{key}-{reader}"][2].said.custom["kind"] == "crisis"
        for key in ("disclosure", "sexual-contact", "danger", "minor", "how-to-report"):
            assert replies[f"misconduct-{key}-{reader}"][2].said.custom["kind"] == "misconduct"
        assert replies[f"misconduct-hug-{reader}"][2].said.custom["kind"] == "answer"
        assert replies[f"handoff-{reader}"][2].said.custom["kind"] == "handoff"
        assert replies[f"disclaimer-{reader}"][2].said.texts[0] == knowledge_base().text(
            "disclaimer", reader
        )
    therapist = " ".join(replies["crisis-own-therapist"][2].said.texts)
    assert knowledge_base().text("crisis", "therapist_protocol") in therapist


def test_romance_variants_take_the_romance_wording(replies):
    for reader in READERS:
        said = replies[f"romance-context-waiting_period-{reader}"][2].said
        assert said.custom["topic"] == "romance"
        assert "cooling_off" not in said.custom["points"]


def test_each_region_alone_gets_its_own_help_lines(review, replies):
    if len(clinic().regions) < 2:
        pytest.skip("the clinic has one region: the replies above are that region's")
    for region in clinic().regions:
        slug = re.sub(r"[^a-z0-9]+", "-", region.lower())
        said = replies[f"region-{slug}-crisis-own-client"][2].said
        assert {r["region"] for r in said.custom["resources"]} == {region}


def test_placeholders_are_named(review, page, tmp_path):
    assert review.placeholders == placeholders()
    for path in review.placeholders:
        assert f"<code>{path}</code>" in page
    filled = tmp_path / CLINIC_FILE
    filled.write_text(
        'clinic:\n  name: Harbour Street\n  phone: "[FILL IN: phone]"\n'
        "misconduct_resources:\n  - note: '[fill in: address]'\n"
    )
    assert placeholders(tmp_path) == ["clinic.phone", "misconduct_resources[0].note"]


def test_the_page_fetches_nothing_and_has_reviewer_fields(page):
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|@import|url\(", page)
    for field in ("final-name", "final-date", "final-decision", "final-comments"):
        assert f'name="{field}' in page


def test_without_a_converter_it_says_there_is_no_pdf(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(pdf, "converters", lambda: [])
    assert review_command.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "No PDF: no converter found" in out
    [written] = tmp_path.glob("review-*.html")
    assert written.name == f"review-{content_version()}.html"
    assert not list(tmp_path.glob("*.pdf"))
