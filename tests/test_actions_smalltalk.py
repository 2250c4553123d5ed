"""Small talk, and small talk on the turn after a crisis."""

import pytest
from conftest import custom_of, texts_of

from actions.knowledge import knowledge_base
from actions.smalltalk import SMALLTALK_INTENTS, ActionRespondSmalltalk


@pytest.mark.parametrize("role", ["client", "therapist", None])
@pytest.mark.parametrize("intent", SMALLTALK_INTENTS)
async def test_small_talk_is_answered(intent, role, make_tracker, dispatcher, domain):
    await ActionRespondSmalltalk().run(
        dispatcher, make_tracker("hi", intent=intent, role=role), domain
    )
    assert custom_of(dispatcher) == {"kind": "smalltalk"}
    assert texts_of(dispatcher) == [knowledge_base().text("smalltalk", intent, role or "any")]


async def test_are_you_a_person_says_it_is_not(make_tracker, dispatcher, domain):
    tracker = make_tracker("are you a person?", intent="ask_bot_identity", first_reply=True)
    await ActionRespondSmalltalk().run(dispatcher, tracker, domain)
    [text] = texts_of(dispatcher)
    assert "not a person" in text


async def test_a_greeting_after_a_crisis_is_not_cheerful(make_tracker, dispatcher, domain):
    tracker = make_tracker("hello", intent="greet", role="client", slots={"crisis_followup": True})
    events = await ActionRespondSmalltalk().run(dispatcher, tracker, domain)
    [text] = texts_of(dispatcher)
    assert text == knowledge_base().text("after_crisis", "greet", "client")
    assert "Hello!" not in text
    assert {"event": "slot", "name": "crisis_followup", "value": False} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


async def test_the_first_greeting_comes_after_the_disclaimer(make_tracker, dispatcher, domain):
    tracker = make_tracker("hi", intent="greet", role="client", first_reply=True)
    await ActionRespondSmalltalk().run(dispatcher, tracker, domain)
    kb = knowledge_base()
    assert texts_of(dispatcher) == [
        kb.text("disclaimer", "client"),
        kb.text("smalltalk", "greet", "client"),
    ]
