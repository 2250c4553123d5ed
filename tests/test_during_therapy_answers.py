"""Answers about ongoing therapy (topics_during_therapy.yml): every reader and region is
answered with sources, clients hear what they can do, and nothing reads as permission."""

import re

import pytest

from actions.knowledge import (
    DURING_THERAPY_TOPICS,
    FOLLOWUPS,
    READERS,
    compose,
    for_regions,
    knowledge_base,
)
from project.clinic import clinic

KB = knowledge_base()
US, UK = "United States", "United Kingdom"
REGION_SETS = ([US], [UK], [US, UK])
CODE_NAMES = re.compile(r"\b(APA|ACA|NASW|AAMFT|BACP|HCPC|UKCP|Texas|California|Louisiana)\b")
# Wording that would read as permission for romance or sex with a therapist.
PERMISSION = re.compile(
    r"\b(can|could|may|is fine to|is okay to|are allowed to)\b[^.;:]{0,40}"
    r"\b(date|dating|kiss|sex|sexual|romance|romantic|partner)\b",
    re.IGNORECASE,
)


def wordings(topic):
    """Every wording of the topic: its answer and its follow-ups, for every reader."""
    for reader in READERS:
        yield f"{topic}/answer/{reader}", reader, KB.answer(topic, reader)
        for followup in FOLLOWUPS:
            yield f"{topic}/{followup}/{reader}", reader, KB.followup(topic, followup, reader)


WORDINGS = {
    where: (reader, parts) for t in DURING_THERAPY_TOPICS for where, reader, parts in wordings(t)
}


def answer_text(topic, reader, regions=(US, UK)):
    return compose(for_regions(KB.answer(topic, reader), regions))


@pytest.mark.parametrize("topic", DURING_THERAPY_TOPICS)
def test_every_topic_of_ongoing_therapy_is_known(topic):
    assert topic in KB.topics and KB.topics[topic].asked_as


@pytest.mark.parametrize("regions", REGION_SETS, ids=["us", "uk", "both"])
@pytest.mark.parametrize("where", sorted(WORDINGS))
def test_every_reader_in_every_region_gets_a_sourced_answer(where, regions):
    parts = for_regions(WORDINGS[where][1], regions)
    assert parts, f"{where} says nothing to readers in {regions}"
    assert all(part.points or part.codes for part in parts)


@pytest.mark.parametrize("regions", REGION_SETS, ids=["us", "uk", "both"])
@pytest.mark.parametrize("where", sorted(WORDINGS))
def test_a_reader_who_hears_a_code_hears_that_rules_differ_where_they_are(where, regions):
    text = compose(for_regions(WORDINGS[where][1], regions))
    if CODE_NAMES.search(text):
        assert "differ by profession and place" in text, text
        assert ("licensing board" if US in regions else "regulator") in text, text


@pytest.mark.parametrize("where", sorted(WORDINGS))
def test_a_part_citing_a_code_is_shown_only_where_the_code_applies(where):
    for part in WORDINGS[where][1]:
        for code in part.codes:
            region = KB.sources[code].region
            if region:  # a clinic policy holds wherever the clinic is
                assert part.regions == (region,), f"{where} cites {code} for {part.regions}"


@pytest.mark.parametrize("where", sorted(WORDINGS))
def test_nothing_reads_as_permission_for_romance_or_sex(where):
    reader, parts = WORDINGS[where]
    text = compose(parts)
    assert not PERMISSION.search(text), PERMISSION.search(text).group(0)
    assert all("cooling_off" not in part.points for part in parts)


@pytest.mark.parametrize("topic", DURING_THERAPY_TOPICS)
def test_every_topic_words_its_follow_ups_for_ongoing_therapy(topic):
    own = set(KB.topics[topic].followups)
    # Staying in touch after the last session is what the general "both want" answers.
    expected = set(FOLLOWUPS) - ({"both_want"} if topic == "ending_therapy" else set())
    assert expected <= own


@pytest.mark.parametrize("topic", [t for t in DURING_THERAPY_TOPICS if t != "switching_therapist"])
@pytest.mark.parametrize("reader", ["client", "any"])
def test_a_client_hears_that_what_felt_wrong_can_be_reported(topic, reader):
    assert "report" in answer_text(topic, reader)


@pytest.mark.parametrize("topic", DURING_THERAPY_TOPICS)
def test_a_therapist_hears_the_codes(topic):
    cited = [code for part in KB.answer(topic, "therapist") for code in part.codes]
    assert any(not code.startswith("clinic-") for code in cited)


@pytest.mark.parametrize("reader", READERS)
def test_touch_says_it_is_fine_to_say_no_and_a_sexual_touch_is_never_therapy(reader):
    text = answer_text("touch", reader)
    assert "say no" in text or "accept a no" in text
    assert "never part of therapy" in text


@pytest.mark.parametrize("reader", READERS)
def test_between_sessions_names_the_crisis_route(reader):
    text = answer_text("between_sessions", reader)
    assert "crisis lines" in text and "emergency services" in text
    assert "clinic-between-sessions" in [
        c for p in KB.answer("between_sessions", reader) for c in p.codes
    ]


@pytest.mark.parametrize("region", [US, UK])
@pytest.mark.parametrize("reader", ["client", "any"])
def test_the_crisis_numbers_named_are_the_clinics_own(reader, region):
    text = compose(p for p in KB.answer("between_sessions", reader) if p.regions == (region,))
    numbers = set(re.findall(r"\b\d[\d ]*\d\b", text))
    listed = {r.phone for r in clinic().crisis_resources if r.region == region}
    assert numbers and numbers <= listed, (numbers, listed)


@pytest.mark.parametrize("reader", READERS)
def test_asking_to_change_therapist_is_normal(reader):
    parts = KB.answer("switching_therapist", reader)
    assert "clinic-changing-therapist" in [c for p in parts for c in p.codes]
    if reader != "therapist":
        assert "normal" in answer_text("switching_therapist", reader)
