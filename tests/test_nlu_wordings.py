"""The trained NLU answers in-scope questions worded unlike most of its examples
(a formal register, British spelling, other words for the professional) and
free-form follow-ups, instead of falling back to "I'm not sure I understood".
None of these messages is a training example."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from tests.test_crisis_detection import agent, model_path  # noqa: F401 (fixture)

WORDINGS = [
    ("Might it be acceptable for me to befriend my former counsellor?", "ask_friendship"),
    ("can me and my ex psychologist hang out now were done", "ask_friendship"),
    ("would it be wrong to go out with my old counsellor", "ask_romance"),
    (
        "Is it ethical for a psychotherapist to become romantically involved with a former client?",
        "ask_romance",
    ),
    ("can i give my counsellor a present at our final session", "ask_gifts"),
    ("I ran into my psychologist at the shops, what should I do?", "ask_chance_encounter"),
    (
        "how long must i wait before i can keep in contact with my psychologist",
        "ask_waiting_period",
    ),
    ("can i invite my counsellor to my wedding", "ask_events"),
    ("As a psychotherapist, may I hire a former client to redecorate my office?", "ask_business"),
    ("what else should i bear in mind", "followup_other"),
]


def test_the_wordings_are_not_training_examples():
    examples = {m.get("text").lower() for m in load_data("data/nlu").intent_examples}
    assert not examples & {text.lower() for text, _ in WORDINGS}


@pytest.mark.model
async def test_unfamiliar_wordings_get_their_topic_not_a_fallback(agent):  # noqa: F811
    wrong = []
    for text, expected in WORDINGS:
        intent = (await agent.parse_message(text))["intent"]["name"]
        if intent != expected:
            wrong.append((text, expected, intent))
    assert not wrong
