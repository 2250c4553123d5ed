"""The misconduct reply fits what the person wrote: a disclosure, a question about
reporting, danger, a child, or only a hug or a handshake."""

import pytest
from conftest import custom_of, texts_of

from actions import safety
from actions.knowledge import compose, knowledge_base

KB = knowledge_base()
READERS = ["client", "therapist", None]


async def reply_to(text, dispatcher, make_tracker, role="client"):
    tracker = make_tracker(text, intent="report_misconduct", role=role)
    await safety.ActionRespondMisconduct().run(dispatcher, tracker, {})
    return custom_of(dispatcher), "\n".join(texts_of(dispatcher))


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    "text",
    [
        "my therapist gave me a hug at our last session, is that allowed?",
        "is it normal that my counsellor shook my hand at the end",
        "we hugged goodbye when therapy ended",
    ],
)
async def test_a_goodbye_hug_or_handshake_is_a_boundary_question(
    text, reader, dispatcher, make_tracker
):
    custom, said = await reply_to(text, dispatcher, make_tracker, role=reader)
    assert custom["kind"] == "answer" and custom["topic"] == "touch"
    assert said == compose(KB.answer("touch", reader or "any"))
    assert custom["codes"] and "clinic-touch" in custom["codes"]
    assert "not okay" not in said
    assert "not in itself misconduct" in said
    assert "no" in said and ("report" in said or "misconduct" in said)


async def test_a_hug_question_keeps_the_touch_topic_for_follow_ups(dispatcher, make_tracker):
    tracker = make_tracker("my counsellor hugged me at the end", intent="report_misconduct")
    events = await safety.ActionRespondMisconduct().run(dispatcher, tracker, {})
    assert {"event": "slot", "name": "topic", "value": "touch"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


@pytest.mark.parametrize(
    "text",
    [
        "my therapist hugged me and it made me really uncomfortable",
        "he hugs me every session and says it's our secret",
        "she hugged me for too long and wouldn't let go",
        "my therapist hugged me and touched me in a sexual way",
        "her old counsellor used to hug her for ages and stroke her leg",
        "he holds me close when he hugs me at the end of each session",
    ],
)
async def test_a_hug_that_felt_wrong_gets_the_misconduct_reply(text, dispatcher, make_tracker):
    custom, _ = await reply_to(text, dispatcher, make_tracker)
    assert custom["kind"] == "misconduct"


@pytest.mark.parametrize("reader", READERS)
async def test_a_question_about_reporting_gets_a_neutral_opening(reader, dispatcher, make_tracker):
    custom, said = await reply_to(
        "how do i report a therapist?", dispatcher, make_tracker, role=reader
    )
    assert custom["kind"] == "misconduct"
    assert texts_of(dispatcher)[0] == KB.text("misconduct", "neutral", reader or "any")
    assert "not okay" not in said and "not your fault" not in said


async def test_a_disclosure_gets_the_validating_opening(dispatcher, make_tracker):
    _, said = await reply_to(
        "my therapist kissed me, how do I report him?", dispatcher, make_tracker
    )
    assert texts_of(dispatcher)[0] == KB.text("misconduct", "validate", "client")
    assert "not okay" in said


@pytest.mark.parametrize("reader", ["client", None])
async def test_a_client_hears_they_can_stop_seeing_the_therapist(reader, dispatcher, make_tracker):
    _, said = await reply_to(
        "my therapist asked me for money", dispatcher, make_tracker, role=reader
    )
    assert "stop seeing" in said and "find another" in said


async def test_stalking_or_threats_add_the_emergency_numbers(dispatcher, make_tracker):
    custom, said = await reply_to(
        "my old therapist keeps following me and threatened me", dispatcher, make_tracker
    )
    phones = [r.get("phone") for r in custom["resources"]]
    assert "911" in phones and "999" in phones
    assert KB.text("misconduct", "danger") in said


async def test_no_emergency_numbers_without_danger(dispatcher, make_tracker):
    custom, _ = await reply_to("my therapist asked me for money", dispatcher, make_tracker)
    assert "911" not in [r.get("phone") for r in custom["resources"]]


@pytest.mark.parametrize("reader", READERS)
async def test_a_child_gets_the_child_protection_route(reader, dispatcher, make_tracker):
    custom, said = await reply_to(
        "my 15 year old's therapist has been messaging her at night",
        dispatcher,
        make_tracker,
        role=reader,
    )
    assert KB.text("misconduct", "child_protection") in said
    assert "third-party complaints" not in said
    names = " ".join(r["name"] for r in custom["resources"])
    assert "child protective services" in names and "children's services" in names


async def test_an_adult_still_hears_about_anonymous_complaints(dispatcher, make_tracker):
    _, said = await reply_to("my therapist asked me for money", dispatcher, make_tracker)
    assert KB.text("misconduct", "report_limits") in said
