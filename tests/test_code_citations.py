"""How the answers cite professional codes: never a permissive reading, always
the caveat that rules differ and the board or regulator decides."""

import re

import pytest

from actions.knowledge import FOLLOWUPS, READERS, TOPICS, compose, knowledge_base

CODE_NAMES = re.compile(r"\b(APA|ACA|NASW|AAMFT|BACP|HCPC|UKCP|Texas|California)\b")
CAVEAT = "differ by profession and place"
# Readings that sound like permission: a ban "with no time limit" reads as "no wait
# needed", "almost never" and "after two years" as a date after which it is fine.
PERMISSIVE = re.compile(r"no time limit|almost never|for good\b", re.IGNORECASE)


def every_text():
    kb = knowledge_base()
    for topic in TOPICS:
        for reader in READERS:
            yield f"{topic}/answer/{reader}", compose(kb.answer(topic, reader))
            for followup in FOLLOWUPS:
                yield f"{topic}/{followup}/{reader}", compose(kb.followup(topic, followup, reader))


TEXTS = dict(every_text())
CITING = {where: text for where, text in TEXTS.items() if CODE_NAMES.search(text)}


def test_many_answers_cite_codes():
    assert len(CITING) > 20


@pytest.mark.parametrize("where", sorted(CITING))
def test_every_answer_that_names_a_code_says_the_rules_differ(where):
    assert CAVEAT in CITING[where].lower(), CITING[where]
    assert "regulator" in CITING[where], "the UK's regulators have the last word too"


@pytest.mark.parametrize("where", sorted(TEXTS))
def test_no_answer_reads_a_ban_as_permission(where):
    assert not PERMISSIVE.search(TEXTS[where]), TEXTS[where]


@pytest.mark.parametrize("where", sorted(w for w, t in TEXTS.items() if "10.08" in t))
def test_apa_10_08_always_comes_with_the_most_unusual_circumstances(where):
    assert "most unusual circumstances" in TEXTS[where], TEXTS[where]


@pytest.mark.parametrize("where", sorted(w for w, t in TEXTS.items() if "NASW 1.09" in t))
def test_nasw_and_aamft_bans_have_no_end_date(where):
    assert "no end date" in TEXTS[where], TEXTS[where]


def test_the_therapists_hear_the_burden_of_nasws_narrow_exception():
    kb = knowledge_base()
    therapist = compose(kb.answer("romance", "therapist")) + compose(
        kb.followup("romance", "how_long", "therapist")
    )
    assert "full burden of any claimed exception on the social worker" in therapist


def test_acas_rule_says_online_relationships_count():
    kb = knowledge_base()
    for reader in ("therapist", "any"):
        text = compose(kb.followup("romance", "online", reader))
        assert "A.5.c" in text and "in person or online" in text


# --- Code sections and clinic policies as sources of their own (knowledge/codes/, clinic.yml) ---

BODY = re.compile(r"^(\w+)")


def every_part():
    kb = knowledge_base()
    for topic in TOPICS:
        for reader in READERS:
            for index, part in enumerate(kb.answer(topic, reader)):
                yield f"{topic}/answer/{reader}[{index}]", part
            for followup in FOLLOWUPS:
                for index, part in enumerate(kb.followup(topic, followup, reader)):
                    yield f"{topic}/{followup}/{reader}[{index}]", part


PARTS = dict(every_part())


@pytest.mark.parametrize("where", sorted(PARTS))
def test_every_sentence_rests_on_a_source(where):
    part = PARTS[where]
    assert part.points or part.codes, f"{where} has no source: {part.text}"


@pytest.mark.parametrize("where", sorted(w for w, p in PARTS.items() if p.codes))
def test_a_part_names_every_code_it_cites(where):
    kb = knowledge_base()
    part = PARTS[where]
    for code in part.codes:
        source = kb.sources[code]
        if code.startswith("clinic-"):
            assert "clinic" in part.text.lower(), f"{where} cites {code} without naming it"
        else:
            assert source.cite_as in part.text, f"{where} cites {code} but never names it"


@pytest.mark.parametrize("where", sorted(w for w, p in PARTS.items() if CODE_NAMES.search(p.text)))
def test_a_part_cites_every_code_it_names(where):
    kb = knowledge_base()
    part = PARTS[where]
    cited_bodies = {BODY.match(kb.sources[code].cite_as).group(1) for code in part.codes}
    named = set(CODE_NAMES.findall(part.text))
    assert named <= cited_bodies, f"{where} names {named - cited_bodies} without citing it"


def test_every_code_section_is_cited_somewhere():
    kb = knowledge_base()
    cited = {code for part in PARTS.values() for code in part.codes}
    unused = [code for code in kb.sources if not code.startswith("clinic-") and code not in cited]
    assert not unused, f"listed in knowledge/codes/ but never cited: {unused}"
