"""The safety and scope actions, run as the action server runs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from conftest import custom_of, texts_of
from rasa_sdk.events import SlotSet

from actions import safety
from actions.knowledge import knowledge_base
from project import clinic as clinic_settings

KB = knowledge_base()
ROLES = ["client", "therapist", None]
SHIPPED_CLINIC = yaml.safe_load(
    (clinic_settings.CLINIC_DIR / clinic_settings.CLINIC_FILE).read_text(encoding="utf-8")
)
FILLED_CONTACT = {
    "name": "Riverside Counselling",
    "phone": "555-0100",
    "email": "hello@riverside.example",
    "hours": "Monday to Friday, 9am to 5pm",
    "website": "https://riverside.example",
}


@pytest.fixture
def use_clinic(monkeypatch, tmp_path: Path):
    """Runs the actions with an edited copy of clinic.yml."""

    def use(contact: Dict[str, str] = None, regions: List[str] = None):
        content: Dict[str, Any] = yaml.safe_load(yaml.safe_dump(SHIPPED_CLINIC))
        content["clinic"].update(contact or {})
        if regions:
            content["region"] = regions
        (tmp_path / clinic_settings.CLINIC_FILE).write_text(yaml.safe_dump(content))
        settings = clinic_settings.load(tmp_path)
        monkeypatch.setattr(safety, "clinic", lambda: settings)
        return settings

    return use


async def run(action, dispatcher, tracker) -> List[Dict[str, Any]]:
    return await action.run(dispatcher, tracker, {})


def reader_of(role):
    return role or "any"


# Crisis


@pytest.mark.parametrize("role", ROLES)
async def test_crisis_gives_the_lines_of_both_default_regions(dispatcher, make_tracker, role):
    tracker = make_tracker("i want to end it all", intent="crisis", role=role)
    events = await run(safety.ActionRespondCrisis(), dispatcher, tracker)

    custom = custom_of(dispatcher)
    assert custom["kind"] == "crisis"
    numbers = {r.get("phone") or r.get("sms") for r in custom["resources"]}
    assert {"988", "741741", "911", "116 123", "85258", "999"} == numbers
    text = "\n".join(texts_of(dispatcher))
    assert "call or text 988" in text and "text HOME to 741741" in text
    assert "call 116 123" in text and "text SHOUT to 85258" in text
    assert texts_of(dispatcher)[0] == KB.text("crisis", "recognise", reader_of(role))
    assert "not a crisis service" in text
    assert SlotSet("crisis_followup", True) in events


async def test_crisis_does_not_answer_the_boundary_question(dispatcher, make_tracker):
    tracker = make_tracker(
        "can we be friends? i'll end my life if i lose her", intent="crisis", role="client"
    )
    await run(safety.ActionRespondCrisis(), dispatcher, tracker)
    custom = custom_of(dispatcher)
    assert set(custom) == {"kind", "resources"}
    assert "friend" not in " ".join(texts_of(dispatcher)).lower()


async def test_crisis_says_what_it_is_so_needs_no_disclaimer(dispatcher, make_tracker):
    tracker = make_tracker("kms", intent="crisis", first_reply=True)
    await run(safety.ActionRespondCrisis(), dispatcher, tracker)
    assert KB.text("disclaimer", "any") not in texts_of(dispatcher)


async def test_crisis_shows_only_the_configured_region(dispatcher, make_tracker, use_clinic):
    use_clinic(regions=["United Kingdom"])
    await run(safety.ActionRespondCrisis(), dispatcher, make_tracker("kms", intent="crisis"))
    resources = custom_of(dispatcher)["resources"]
    assert {r["region"] for r in resources} == {"United Kingdom"}
    assert "988" not in "\n".join(texts_of(dispatcher))


async def test_crisis_offers_the_clinic_once_it_is_filled_in(dispatcher, make_tracker, use_clinic):
    use_clinic(contact=FILLED_CONTACT)
    await run(safety.ActionRespondCrisis(), dispatcher, make_tracker("kms", intent="crisis"))
    last = texts_of(dispatcher)[-1]
    assert "Riverside Counselling" in last and "555-0100" in last


# Misconduct


@pytest.mark.parametrize("role", ROLES)
async def test_sexual_contact_adds_the_sexual_assault_hotline(dispatcher, make_tracker, role):
    tracker = make_tracker(
        "my therapist touched me during a session", intent="report_misconduct", role=role
    )
    await run(safety.ActionRespondMisconduct(), dispatcher, tracker)
    custom = custom_of(dispatcher)
    assert custom["kind"] == "misconduct"
    assert "800-656-4673" in [r.get("phone") for r in custom["resources"]]
    assert "800-656-4673" in "\n".join(texts_of(dispatcher))
    assert "never part of therapy" in "\n".join(texts_of(dispatcher))


async def test_other_misconduct_gets_the_boards_without_the_hotline(dispatcher, make_tracker):
    tracker = make_tracker("my therapist keeps asking me for money", intent="report_misconduct")
    await run(safety.ActionRespondMisconduct(), dispatcher, tracker)
    names = [r["name"] for r in custom_of(dispatcher)["resources"]]
    assert "RAINN National Sexual Assault Hotline" not in names
    assert "Health and Care Professions Council (HCPC)" in names
    assert "written complaint" in "\n".join(texts_of(dispatcher))


async def test_staying_in_touch_is_not_sexual_contact(dispatcher, make_tracker):
    tracker = make_tracker(
        "my old therapist keeps pressuring me to stay in touch", intent="report_misconduct"
    )
    await run(safety.ActionRespondMisconduct(), dispatcher, tracker)
    assert "RAINN" not in "\n".join(texts_of(dispatcher))


async def test_the_hotline_is_shown_only_where_it_serves(dispatcher, make_tracker, use_clinic):
    use_clinic(regions=["United Kingdom"])
    tracker = make_tracker("my counselor had sex with me", intent="report_misconduct")
    await run(safety.ActionRespondMisconduct(), dispatcher, tracker)
    assert "RAINN" not in "\n".join(texts_of(dispatcher))
    assert {r["region"] for r in custom_of(dispatcher)["resources"]} == {"United Kingdom"}


async def test_a_therapist_hears_their_own_duties(dispatcher, make_tracker):
    tracker = make_tracker(
        "a client told me her previous therapist slept with her",
        intent="report_misconduct",
        role="therapist",
    )
    await run(safety.ActionRespondMisconduct(), dispatcher, tracker)
    text = "\n".join(texts_of(dispatcher))
    assert KB.text("misconduct", "duties") in texts_of(dispatcher)
    assert "Therapy Never Includes Sexual Behavior" in text
    assert texts_of(dispatcher)[0] == KB.text("misconduct", "validate", "therapist")


async def test_a_client_does_not_hear_a_therapist_duties(dispatcher, make_tracker):
    tracker = make_tracker("my therapist kissed me", intent="report_misconduct", role="client")
    await run(safety.ActionRespondMisconduct(), dispatcher, tracker)
    assert KB.text("misconduct", "duties") not in texts_of(dispatcher)
    assert texts_of(dispatcher)[0] == KB.text("misconduct", "validate", "client")


# Out of scope


@pytest.mark.parametrize("role", ROLES)
async def test_out_of_scope_says_what_it_can_help_with(dispatcher, make_tracker, role):
    tracker = make_tracker("what's the weather tomorrow", intent="out_of_scope", role=role)
    await run(safety.ActionRespondOutOfScope(), dispatcher, tracker)
    assert custom_of(dispatcher) == {"kind": "out_of_scope"}
    assert texts_of(dispatcher) == [KB.text("out_of_scope", "scope", reader_of(role))]


@pytest.mark.parametrize(
    "text", ["should i double my dose of sertraline", "can you diagnose me", "be my therapist"]
)
async def test_out_of_scope_says_it_is_not_a_professional(dispatcher, make_tracker, text):
    tracker = make_tracker(text, intent="out_of_scope", role="client")
    await run(safety.ActionRespondOutOfScope(), dispatcher, tracker)
    assert texts_of(dispatcher)[0] == KB.text("out_of_scope", "professional", "client")


OWN_HEALTH = [
    "i've been really depressed lately, can you help me?",
    "i think i have anxiety, can you be my therapist",
    "what medication should i take for panic attacks",
]


@pytest.mark.parametrize("role", ["client", None])
@pytest.mark.parametrize("text", OWN_HEALTH)
async def test_someone_asking_for_help_with_their_health_is_met_warmly_and_sent_to_the_clinic(
    dispatcher, make_tracker, use_clinic, text, role
):
    use_clinic(contact=FILLED_CONTACT)
    await run(
        safety.ActionRespondOutOfScope(),
        dispatcher,
        make_tracker(text, intent="out_of_scope", role=role),
    )
    texts = texts_of(dispatcher)
    reply = " ".join(texts)
    assert custom_of(dispatcher) == {"kind": "out_of_scope"}
    assert "I can only help" not in reply
    assert texts[0].startswith("It's good that you're looking for support")
    assert "Riverside Counselling" in texts[1] and "555-0100" in texts[1]
    assert "local emergency number" in reply


async def test_without_the_clinics_contact_the_warm_reply_still_points_to_the_clinic(
    dispatcher, make_tracker
):
    await run(
        safety.ActionRespondOutOfScope(),
        dispatcher,
        make_tracker(OWN_HEALTH[0], intent="out_of_scope", role="client"),
    )
    texts = texts_of(dispatcher)
    assert texts[1] == KB.text("out_of_scope", "person_not_set")
    assert "FILL IN" not in " ".join(texts)


async def test_a_therapist_asking_about_medication_is_sent_to_a_prescriber_or_supervisor(
    dispatcher, make_tracker
):
    await run(
        safety.ActionRespondOutOfScope(),
        dispatcher,
        make_tracker(
            "what dose of sertraline for my client", intent="out_of_scope", role="therapist"
        ),
    )
    texts = texts_of(dispatcher)
    assert texts[0] == KB.text("out_of_scope", "professional", "therapist")
    assert "supervisor" in texts[0] and "I can only help" not in " ".join(texts)


async def test_out_of_scope_sends_billing_to_the_clinic(dispatcher, make_tracker):
    tracker = make_tracker("i was charged twice for a session", intent="out_of_scope")
    await run(safety.ActionRespondOutOfScope(), dispatcher, tracker)
    assert texts_of(dispatcher)[-1] == KB.text("out_of_scope", "clinic_matters")


# Hand-off


async def test_hand_off_before_the_clinic_fills_in_its_details(dispatcher, make_tracker):
    await run(
        safety.ActionHandOff(), dispatcher, make_tracker("human please", intent="request_human")
    )
    assert custom_of(dispatcher) == {"kind": "handoff", "contact": {}}
    assert texts_of(dispatcher)[0] == KB.text("handoff", "not_set")


@pytest.mark.parametrize("role", ROLES)
async def test_hand_off_gives_name_phone_email_and_hours(
    dispatcher, make_tracker, use_clinic, role
):
    use_clinic(contact=FILLED_CONTACT)
    tracker = make_tracker("can i talk to a person", intent="request_human", role=role)
    await run(safety.ActionHandOff(), dispatcher, tracker)
    assert custom_of(dispatcher) == {"kind": "handoff", "contact": FILLED_CONTACT}
    text = "\n".join(texts_of(dispatcher))
    for value in FILLED_CONTACT.values():
        assert value in text


async def test_hand_off_leaves_out_what_is_not_filled_in(dispatcher, make_tracker, use_clinic):
    use_clinic(contact={"phone": "555-0100"})
    await run(safety.ActionHandOff(), dispatcher, make_tracker("agent", intent="request_human"))
    assert custom_of(dispatcher)["contact"] == {"phone": "555-0100"}
    assert texts_of(dispatcher) == ["You can reach the clinic directly:\nPhone: 555-0100"]


# No placeholder ever reaches a reader


@pytest.mark.parametrize(
    "action, intent",
    [
        (safety.ActionRespondCrisis(), "crisis"),
        (safety.ActionRespondMisconduct(), "report_misconduct"),
        (safety.ActionRespondOutOfScope(), "out_of_scope"),
        (safety.ActionHandOff(), "request_human"),
        (safety.ActionDefaultAskAffirmation(), "nlu_fallback"),
        (safety.ActionDefaultAskRephrase(), "out_of_scope"),
        (safety.ActionDefaultFallback(), "nlu_fallback"),
    ],
)
async def test_no_reply_shows_a_placeholder(dispatcher, make_tracker, action, intent):
    await run(action, dispatcher, make_tracker("my therapist slept with me", intent=intent))
    assert "FILL IN" not in str(dispatcher.messages)


# The two-stage fallback

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.55},
    {"name": "ask_gifts", "confidence": 0.3},
    {"name": "greet", "confidence": 0.2},
    {"name": "ask_events", "confidence": 0.1},
    {"name": "ask_romance", "confidence": 0.05},
    {"name": "ask_friendship", "confidence": 0.03},
]


def buttons_of(dispatcher) -> List[Dict[str, str]]:
    return [button for message in dispatcher.messages for button in message.get("buttons") or []]


@pytest.mark.parametrize("role", ROLES)
async def test_affirmation_offers_the_likeliest_topics(dispatcher, make_tracker, role):
    tracker = make_tracker("gfts?", intent="nlu_fallback", intent_ranking=RANKING, role=role)
    await run(safety.ActionDefaultAskAffirmation(), dispatcher, tracker)
    assert buttons_of(dispatcher) == [
        {"title": KB.topics["gifts"].title, "payload": "/ask_gifts"},
        {"title": KB.topics["events"].title, "payload": "/ask_events"},
        {"title": KB.topics["romance"].title, "payload": "/ask_romance"},
        {"title": "None of these", "payload": "/out_of_scope"},
    ]
    assert custom_of(dispatcher) == {"kind": "clarify", "topics": ["gifts", "events", "romance"]}


async def test_affirmation_fills_in_topics_the_ranking_lacks(dispatcher, make_tracker):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "ask_gifts", "confidence": 0.4},
    ]
    tracker = make_tracker("???", intent="nlu_fallback", intent_ranking=ranking)
    await run(safety.ActionDefaultAskAffirmation(), dispatcher, tracker)
    payloads = [button["payload"] for button in buttons_of(dispatcher)]
    assert payloads[0] == "/ask_gifts"
    assert 3 <= len(payloads) <= 4 and payloads[-1] == "/out_of_scope"
    assert len(set(payloads)) == len(payloads)


async def test_rephrase_asks_for_other_words(dispatcher, make_tracker):
    await run(
        safety.ActionDefaultAskRephrase(),
        dispatcher,
        make_tracker("/out_of_scope", intent="out_of_scope"),
    )
    assert custom_of(dispatcher) == {"kind": "clarify"}
    assert texts_of(dispatcher) == [KB.text("clarify", "rephrase")]


async def test_the_second_miss_offers_the_clinic(dispatcher, make_tracker, use_clinic):
    use_clinic(contact=FILLED_CONTACT)
    await run(
        safety.ActionDefaultFallback(), dispatcher, make_tracker("zzz", intent="nlu_fallback")
    )
    custom = custom_of(dispatcher)
    assert custom["kind"] == "clarify" and custom["contact"] == FILLED_CONTACT
    assert "555-0100" in texts_of(dispatcher)[-1]


# The turn after a crisis


async def test_the_reply_after_a_crisis_starts_with_care(dispatcher, make_tracker):
    tracker = make_tracker(
        "is this one okay?", intent="request_human", role="client", slots={"crisis_followup": True}
    )
    events = await run(safety.ActionHandOff(), dispatcher, tracker)
    assert texts_of(dispatcher)[0] == KB.text("after_crisis", "note", "client")
    assert SlotSet("crisis_followup", False) in events


# What someone may write after "How are you feeling right now?": none of it is out of scope.
FREE_TEXT = ["not great tbh", "idk. tired", "a bit better now", "what's the weather"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action, intent",
    [
        (safety.ActionRespondOutOfScope(), "out_of_scope"),
        (safety.ActionDefaultAskAffirmation(), "nlu_fallback"),
        (safety.ActionDefaultAskRephrase(), "out_of_scope"),
        (safety.ActionDefaultFallback(), "nlu_fallback"),
    ],
)
@pytest.mark.parametrize("text", FREE_TEXT)
async def test_free_text_after_a_crisis_is_met_warmly(
    dispatcher, make_tracker, action, intent, text, role
):
    tracker = make_tracker(text, intent=intent, role=role, slots={"crisis_followup": True})
    events = await run(action, dispatcher, tracker)
    assert texts_of(dispatcher) == [KB.text("after_crisis", "free_text", reader_of(role))]
    assert not buttons_of(dispatcher)
    # The next message is met as gently, until the person asks something answerable.
    assert SlotSet("crisis_followup", False) not in events


def test_the_warm_reply_never_says_what_the_assistant_can_only_do():
    for reader in ("client", "therapist", "any"):
        warm = KB.text("after_crisis", "free_text", reader)
        assert "only help" not in warm and "I'm still here" in warm
    assert "risk protocol" in KB.text("after_crisis", "free_text", "therapist")


async def test_a_second_crisis_keeps_the_care_going(dispatcher, make_tracker):
    tracker = make_tracker("i still want to die", intent="crisis", slots={"crisis_followup": True})
    events = await run(safety.ActionRespondCrisis(), dispatcher, tracker)
    assert KB.text("after_crisis", "note", "any") not in texts_of(dispatcher)
    assert SlotSet("crisis_followup", True) in events
    assert SlotSet("crisis_followup", False) not in events
