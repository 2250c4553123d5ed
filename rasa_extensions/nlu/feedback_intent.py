"""A message that carries a feedback vote is feedback, unless it shows a crisis.

The web widget sends "Was this helpful?" as a message whose text is the person's
optional "what was missing?" note and whose `metadata.feedback` holds the vote
(kept by the REST channel, rasa_extensions.feedback). The note is read by the whole
pipeline like any message, so the crisis detector sees it; this component runs
last and makes the intent `give_feedback` only when that intent is not `crisis`:
a note that shows risk still gets crisis help. It relies on Rasa 3.6's
NLUMessageConverter putting the UserMessage's metadata into the Message's data.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from rasa_extensions.nlu.crisis_detector import CRISIS_INTENT
from rasa_extensions.nlu.intent_step import IntentStep, intent_name

FEEDBACK_INTENT = "give_feedback"
METADATA_KEY = "metadata"


def carries_vote(message: Message) -> bool:
    metadata = message.get(METADATA_KEY)
    return isinstance(metadata, dict) and isinstance(metadata.get("feedback"), dict)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FeedbackIntent(IntentStep):
    """Sets `give_feedback` on messages with a feedback vote, never over `crisis`."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if carries_vote(message) and intent_name(message) != CRISIS_INTENT:
                feedback = {INTENT_NAME_KEY: FEEDBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, feedback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [feedback], add_to_output=True)
        return messages
