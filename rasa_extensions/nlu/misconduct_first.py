"""Misconduct before the fallback: a report of harm is not met with "which topic?".

Rasa's FallbackClassifier replaces the intent with `nlu_fallback` when the model is
unsure (below its threshold, or with two intents close together), and the assistant
then asks which topic was meant. For someone telling it that a therapist harmed
them, a menu of topics is the wrong reply. This component runs after the
FallbackClassifier: when the fallback fired and the model's likeliest intent was
`report_misconduct`, it restores that intent, so the misconduct reply (what is not
acceptable, how to report it, where to get support) answers. Like the crisis
detector it trades a little precision for recall: the misconduct reply to a
question that was not a report still says what is normal and how to raise a
concern, where a menu would say nothing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from rasa_extensions.nlu.intent_step import IntentStep, intent_name

MISCONDUCT_INTENT = "report_misconduct"


def likeliest_model_intent(message: Message) -> Optional[Dict[Text, Any]]:
    """The best-ranked intent other than the fallback, as the model ranked it."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return entry
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MisconductFirst(IntentStep):
    """Undoes the fallback when the likeliest intent is `report_misconduct`."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if intent_name(message) != DEFAULT_NLU_FALLBACK_INTENT_NAME:
                continue
            likeliest = likeliest_model_intent(message)
            if likeliest and likeliest.get(INTENT_NAME_KEY) == MISCONDUCT_INTENT:
                message.set(INTENT, dict(likeliest), add_to_output=True)
        return messages
