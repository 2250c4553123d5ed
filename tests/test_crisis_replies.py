"""The crisis reply's wording for who is at risk and where the reader is."""

from __future__ import annotations

from typing import List

import pytest
from conftest import custom_of, texts_of

from actions import safety
from actions.knowledge import knowledge_base

KB = knowledge_base()
ROLES = ["client", "therapist", None]
# The default wording asks this; it misreads someone being hurt or worried about another person.
OWN_THOUGHTS = "act on these thoughts"
# A help line only for domestic abuse would have to be verified for each region first.
DOMESTIC_ABUSE_LINES = ["1-800-799", "799-7233", "0808 2000 247", "thehotline.org", "refuge"]


def reader_of(role):
    return role or "any"


async def crisis_reply(dispatcher, make_tracker, text: str, role=None) -> List[str]:
    tracker = make_tracker(text, intent="crisis", role=role)
    await safety.ActionRespondCrisis().run(dispatcher, tracker, {})
    assert custom_of(dispatcher)["kind"] == "crisis"
    return texts_of(dispatcher)


@pytest.mark.parametrize("role", ROLES)
async def test_readers_outside_the_listed_regions_are_told_to_call_their_local_number(
    dispatcher, make_tracker, role
):
    texts = await crisis_reply(dispatcher, make_tracker, "i want to end it all", role)
    lines = texts[1]
    assert lines.endswith(KB.text("crisis", "elsewhere"))
    assert "local emergency number" in lines
    # After the listed lines, so it reads as "and anywhere else".
    assert lines.index("999") < lines.index("local emergency number")


async def test_a_therapist_is_told_to_follow_the_risk_protocol_and_involve_a_supervisor(
    dispatcher, make_tracker
):
    texts = await crisis_reply(
        dispatcher, make_tracker, "my client said he won't be here next week", "therapist"
    )
    protocol = KB.text("crisis", "therapist_protocol")
    assert protocol in texts
    assert "risk protocol" in protocol and "supervisor" in protocol
    # Before the offer of a person and the note on what the assistant is.
    assert texts.index(protocol) == len(texts) - 2


@pytest.mark.parametrize("role", ["client", None])
async def test_only_a_therapist_gets_the_risk_protocol(dispatcher, make_tracker, role):
    texts = await crisis_reply(dispatcher, make_tracker, "i want to end it all", role)
    assert KB.text("crisis", "therapist_protocol") not in texts


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "text",
    [
        "my husband hits me",
        "i'm scared to go home, he gets violent",
        "my partner strangled me last night",
        "my client's boyfriend is abusive and she is scared to go home",
    ],
)
async def test_violence_at_home_gets_its_own_wording_and_no_unverified_hotline(
    dispatcher, make_tracker, text, role
):
    texts = await crisis_reply(dispatcher, make_tracker, text, role)
    reader = reader_of(role)
    assert texts[0] == KB.text("crisis", "domestic_violence", "recognise", reader)
    intro = KB.text("crisis", "domestic_violence", "resources_intro", reader)
    assert texts[1].startswith(intro)
    assert "emergency services" in intro and "domestic-abuse support" in intro
    reply = "\n".join(texts)
    assert OWN_THOUGHTS not in reply
    assert not [line for line in DOMESTIC_ABUSE_LINES if line in reply.lower()]
    # The usual crisis lines and the emergency numbers are still listed.
    numbers = {r.get("phone") or r.get("sms") for r in custom_of(dispatcher)["resources"]}
    assert {"911", "999", "988", "116 123"} <= numbers


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "text",
    [
        "my client texted me at midnight saying goodbye",
        "a client disclosed he's been stockpiling his meds",
        "my daughter has been cutting herself",
        "my friend said she wants to die",
    ],
)
async def test_worry_about_someone_else_gets_its_own_wording(dispatcher, make_tracker, text, role):
    texts = await crisis_reply(dispatcher, make_tracker, text, role)
    reader = reader_of(role)
    assert texts[0] == KB.text("crisis", "someone_else", "recognise", reader)
    assert texts[1].startswith(KB.text("crisis", "someone_else", "resources_intro", reader))
    assert OWN_THOUGHTS not in "\n".join(texts)


@pytest.mark.parametrize(
    "text",
    [
        "i want to kill myself",
        "my husband hits me and i want to die",
        "my friend would be better off without me",
        "kms",
    ],
)
async def test_the_writers_own_risk_keeps_the_usual_wording(dispatcher, make_tracker, text):
    texts = await crisis_reply(dispatcher, make_tracker, text, "client")
    assert texts[0] == KB.text("crisis", "recognise", "client")
    assert texts[1].startswith(KB.text("crisis", "resources_intro", "client"))
    assert OWN_THOUGHTS in texts[1]


async def test_the_pattern_family_that_found_the_crisis_chooses_the_wording(
    dispatcher, make_tracker
):
    # No word of the lists here: the crisis detector's match says it is violence at home.
    tracker = make_tracker("my wife went for me with a bottle", intent="crisis", role="client")
    tracker.latest_message["crisis_detection"] = {
        "by": "pattern",
        "matches": [{"family": "domestic_violence", "text": "went for me"}],
    }
    await safety.ActionRespondCrisis().run(dispatcher, tracker, {})
    expected = KB.text("crisis", "domestic_violence", "recognise", "client")
    assert texts_of(dispatcher)[0] == expected


def test_the_situation_words_are_in_the_editable_wording_file():
    assert "hits me" in KB.words("crisis", "domestic_violence", "words")
    assert "my client" in KB.words("crisis", "someone_else", "words")
    assert safety.crisis_situation(KB, "He HITS me every night") == safety.DOMESTIC_VIOLENCE
    gym = "he hits the gym, my client wants to die"
    assert safety.crisis_situation(KB, gym) == safety.SOMEONE_ELSE
    assert safety.crisis_situation(KB, "i want to end it all") is None
    assert safety.crisis_situation(KB, "i just want to be with my dad in heaven") is None
    families = {"someone_else_at_risk"}
    assert safety.crisis_situation(KB, "she rang at 3am", families) == safety.SOMEONE_ELSE


def test_rasa_passes_the_detectors_matches_to_the_action_server():
    # Rasa 3.6 keeps the whole parse result in the latest message it sends to the action
    # server, so crisis_families can read what rasa_extensions/nlu/crisis_detector.py found.
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_sdk import Tracker

    detection = {"by": "pattern", "matches": [{"family": "domestic_violence", "text": "hits me"}]}
    parse = {"text": "he hits me", "intent": {"name": "crisis", "confidence": 1.0}, "entities": []}
    tracker = DialogueStateTracker("conversation", [])
    parse_data = {**parse, "crisis_detection": detection}
    tracker.update(UserUttered("he hits me", parse["intent"], [], parse_data))
    sdk_tracker = Tracker.from_dict(tracker.current_state())
    assert safety.crisis_families(sdk_tracker) == {"domestic_violence"}
