"""How the answers cite professional codes: never a permissive reading, always
the caveat that rules differ and the board or regulator decides."""

import re

import pytest

from actions.knowledge import (
    DURING,
    FOLLOWUPS,
    READERS,
    REGIONS,
    TOPICS,
    compose,
    for_regions,
    knowledge_base,
)
from actions.sources import codes_used
from project.clinic import clinic

CODE_NAMES = re.compile(r"\b(APA|ACA|NASW|AAMFT|BACP|HCPC|UKCP|Texas|California)\b")
CAVEAT = "differ by profession and place"
# Readings that sound like permission: a ban "with no time limit" reads as "no wait
# needed", "almost never" and "after two years" as a date after which it is fine.
PERMISSIVE = re.compile(r"no time limit|almost never|for good\b", re.IGNORECASE)


def every_wording():
    """Every answer and follow-up, as parts, by where it is in the knowledge base."""
    kb = knowledge_base()
    for topic in TOPICS:
        for reader in READERS:
            yield f"{topic}/answer/{reader}", kb.answer(topic, reader)
            if kb.topics[topic].during:
                yield f"{topic}/during/{reader}", kb.answer(topic, reader, DURING)
            for followup in FOLLOWUPS:
                yield f"{topic}/{followup}/{reader}", kb.followup(topic, followup, reader)


WORDINGS = dict(every_wording())
TEXTS = {where: compose(parts) for where, parts in WORDINGS.items()}
# What a reader in one country reads, by (where, region).
REGION_TEXTS = {
    (where, region): compose(for_regions(parts, [region]))
    for where, parts in WORDINGS.items()
    for region in REGIONS
}
CITING = {key: text for key, text in REGION_TEXTS.items() if CODE_NAMES.search(text)}
# Who has the last word, in each country's terms.
LAST_WORD = {"United States": "licensing board", "United Kingdom": "regulator or professional body"}
US_BODIES = {"APA", "ACA", "NASW", "AAMFT", "Texas", "California"}
UK_BODIES = {"BACP", "HCPC", "UKCP"}


def test_many_answers_cite_codes_in_each_country():
    for region in REGIONS:
        assert len([key for key in CITING if key[1] == region]) > 20, region


@pytest.mark.parametrize("key", sorted(CITING))
def test_every_answer_that_names_a_code_says_the_rules_differ(key):
    text = CITING[key]
    assert CAVEAT in text.lower(), text
    assert LAST_WORD[key[1]] in text, text


@pytest.mark.parametrize("key", sorted(k for k in REGION_TEXTS if k[1] == "United Kingdom"))
def test_a_reader_in_the_uk_never_hears_of_us_codes_or_licensing_boards(key):
    text = REGION_TEXTS[key]
    assert "licensing board" not in text, text
    assert not set(CODE_NAMES.findall(text)) & US_BODIES, text
    kb = knowledge_base()
    cited = codes_used(for_regions(WORDINGS[key[0]], [key[1]]))
    assert not [code for code in cited if kb.sources[code].region == "United States"], cited


@pytest.mark.parametrize("key", sorted(k for k in REGION_TEXTS if k[1] == "United States"))
def test_a_reader_in_the_us_never_hears_of_uk_codes(key):
    text = REGION_TEXTS[key]
    assert not set(CODE_NAMES.findall(text)) & UK_BODIES, text
    kb = knowledge_base()
    cited = codes_used(for_regions(WORDINGS[key[0]], [key[1]]))
    assert not [code for code in cited if kb.sources[code].region == "United Kingdom"], cited


def test_a_reader_of_the_shipped_clinic_hears_the_rules_of_both_countries():
    kb = knowledge_base()
    text = compose(for_regions(kb.answer("rules", "client"), clinic().regions))
    assert "APA 10.08" in text and "HCPC 1.12" in text


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


PARTS = {
    f"{where}[{index}]": part
    for where, parts in WORDINGS.items()
    for index, part in enumerate(parts)
}


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


# --- Each part in one country's terms, and each sentence on the source that says it ---


def region_of_bodies(named):
    if named & US_BODIES:
        return ("United States",)
    if named & UK_BODIES:
        return ("United Kingdom",)
    return ()


@pytest.mark.parametrize("where", sorted(w for w, p in PARTS.items() if CODE_NAMES.search(p.text)))
def test_a_part_naming_a_code_is_for_that_codes_country_and_says_the_rules_differ(where):
    part = PARTS[where]
    named = set(CODE_NAMES.findall(part.text))
    region = region_of_bodies(named)
    assert not (named & US_BODIES and named & UK_BODIES), f"{where} mixes two countries"
    assert part.regions == region, f"{where} names {named}: regions must be {region}"
    assert CAVEAT in part.text.lower(), f"{where} names a code without the caveat"
    assert LAST_WORD[region[0]] in part.text, where


@pytest.mark.parametrize("where", sorted(w for w, p in PARTS.items() if not p.regions))
def test_a_part_for_every_reader_names_no_code_and_no_licensing_board(where):
    text = PARTS[where].text
    assert not CODE_NAMES.search(text) and "licensing board" not in text, text


@pytest.mark.parametrize("where", sorted(PARTS))
def test_a_part_rests_on_one_kind_of_source(where):
    # The document's points, code sections and the clinic's policies are kept apart.
    part = PARTS[where]
    policies = [code for code in part.codes if code.startswith("clinic-")]
    kinds = [bool(part.points), bool(policies), len(policies) < len(part.codes)]
    assert kinds.count(True) == 1, f"{where}: points {part.points}, codes {part.codes}"


@pytest.mark.parametrize("where", sorted(w for w, p in PARTS.items() if CAVEAT in p.text.lower()))
def test_the_caveat_rests_on_the_codes_it_qualifies(where):
    part = PARTS[where]
    assert part.codes and CODE_NAMES.search(part.text), f"{where}: {part.text}"


BANS = re.compile(r"\b(forbid\w*|ban\w*|prohibit\w*|bars?|barred|illegal|never)\b", re.I)


@pytest.mark.parametrize(
    "where", sorted(w for w, p in PARTS.items() if "ethical_guidelines" in p.points)
)
def test_ethical_guidelines_discourage_and_never_forbid(where):
    # The document's words are "guidelines that discourage": a ban rests on a code section.
    assert not BANS.search(PARTS[where].text), PARTS[where].text


# A client's own feelings or wishes; care_is_natural speaks of the therapist's care only.
CLIENTS_FEELINGS = re.compile(
    r"feelings for|your feelings|\bmiss(ing)?\b|\bwant(ing)? to\b|to thank|each other|you felt",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "where", sorted(w for w, p in PARTS.items() if "care_is_natural" in p.points)
)
def test_care_is_natural_is_cited_for_the_therapists_care_only(where):
    text = PARTS[where].text
    assert not CLIENTS_FEELINGS.search(text), text
    assert re.search(r"therapist|clients", text), text


@pytest.mark.parametrize(
    "where", sorted(w for w, p in PARTS.items() if re.search(r"consult|supervis", p.text, re.I))
)
def test_advice_to_consult_rests_on_a_source_that_says_so(where):
    kb = knowledge_base()
    part = PARTS[where]
    sayers = [
        code
        for code in part.codes
        if re.search(r"consult|supervis", kb.sources[code].paraphrase, re.IGNORECASE)
    ]
    assert sayers, f"{where} advises consultation without a source for it: {part.text}"
