"""Grounded answers to boundary questions and their follow-ups."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ANSWER, CLARIFY, NONE_OF_THESE_PAYLOAD, Reply, ReplyAction, latest_entity
from actions.knowledge import (
    TOPICS,
    KnowledgeBase,
    Part,
    compose,
    for_regions,
    points_used,
    sources,
)
from actions.phase import question_phase, remember_phase
from actions.regions import reader_regions
from actions.romance_context import is_romantic
from actions.sources import chips, codes_used

TOPIC_SLOT = "topic"
TOPIC_OF_INTENT = {f"ask_{topic}": topic for topic in TOPICS}
FOLLOWUP_OF_INTENT = {
    "followup_why": "why",
    "followup_how_long": "how_long",
    "followup_both_want": "both_want",
    "followup_online": "online",
    # A further detail or "what else?": the topic's reasons are the answer.
    "followup_other": "why",
}
# A question asked in a romantic context (actions.romance_context) gets romance's
# stricter wording (its follow-up, or its answer where None), so neither "how
# long before we can date?" nor "how long should I wait to contact him?" after a
# romance answer hears about the cooling-off period.
ROMANCE_WORDING_FOR_TOPIC = {"waiting_period": "how_long", "reasons": "why", "friendship": None}
# An answer is hedged when the NLU was not sure of its topic: below this confidence
# (the fallback's threshold before hedged answers existed), or with another topic this
# close behind. It names the question it answers and offers the other readings as
# buttons. Below config.yml's FallbackClassifier threshold there is no answer, only
# the clarifying question.
SURE_CONFIDENCE = 0.55
CLOSE_MARGIN = 0.1
MOST_OTHER_READINGS = 2
# Words that tie a time phrase to the end of therapy ("ended two years ago").
ENDING_CUES = re.compile(
    r"\b(end|ended|ending|finish|finished|stop|stopped|over|since|terminat\w*|ago|last session)\b",
    re.IGNORECASE,
)

# "2023", "march", "march 2023": a point in time that reads "ended in ...".
CALENDAR_DATE = re.compile(
    r"^((january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\b.*|\d{4})$"
)


def latest_intent(tracker: Tracker) -> str:
    """The latest message's intent name; "" when it has none."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def answer_reply(
    kb: KnowledgeBase, topic: str, parts: Sequence[Part], regions: Sequence[str]
) -> Reply:
    """A grounded answer for readers in `regions`: its text, and exactly the
    document's points and the code sections and clinic policies that text uses."""
    parts = for_regions(parts, regions)
    points = points_used(parts)
    codes = codes_used(parts)
    return Reply(
        kind=ANSWER,
        texts=[compose(parts)],
        custom={
            "topic": topic,
            "points": points,
            "codes": codes,
            "sources": sources(kb, points),
            "code_sources": chips(kb.sources, codes),
        },
        events=[SlotSet(TOPIC_SLOT, topic)],
    )


def time_mention(tracker: Tracker, kb: KnowledgeBase, when: Optional[str]) -> Tuple[Part, ...]:
    """ "You mentioned therapy ended six months ago", when the message says so."""
    if not when or not ENDING_CUES.search(tracker.latest_message.get("text") or ""):
        return ()
    lowered = when.lower()
    if CALENDAR_DATE.match(lowered):
        when, lowered = f"in {when}", f"in {lowered}"
    ended = lowered.endswith("ago") or lowered.startswith(("last", "in ", "this"))
    template = kb.text("mentions", "ended" if ended else "elapsed")
    return (Part(template.format(when=when)),)


def no_topic_reply(kb: KnowledgeBase, reader: str) -> Reply:
    """A follow-up with nothing to follow: ask which situation it is about."""
    buttons = topic_buttons(kb, kb.words("no_topic", "topics"))
    return Reply(kind=CLARIFY, texts=[kb.text("no_topic", reader)], buttons=buttons)


def topic_buttons(kb: KnowledgeBase, topics: Sequence[str]) -> List[Dict[str, str]]:
    """A button for each topic, its payload the topic's intent."""
    return [{"title": kb.topics[topic].title, "payload": f"/ask_{topic}"} for topic in topics]


def choice_buttons(kb: KnowledgeBase, reader: str, topics: Sequence[str]) -> List[Dict[str, str]]:
    """The topics' buttons, then "None of these"."""
    none_of_these = {
        "title": kb.reader_text(reader, "clarify", "none_of_these"),
        "payload": NONE_OF_THESE_PAYLOAD,
    }
    return [*topic_buttons(kb, topics), none_of_these]


def ranked_topics(tracker: Tracker) -> List[Tuple[str, float]]:
    """The topics of the latest message's ask_* intents, with their confidence, best first."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    return [
        (TOPIC_OF_INTENT[entry["name"]], float(entry.get("confidence") or 0.0))
        for entry in ranking
        if entry.get("name") in TOPIC_OF_INTENT
    ]


class ActionAnswerTopic(ReplyAction):
    """Answers a boundary question with the topic's answer for the reader."""

    def name(self) -> Text:
        return "action_answer_topic"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        topic = TOPIC_OF_INTENT.get(latest_intent(tracker)) or tracker.get_slot(TOPIC_SLOT)
        if topic not in kb.topics:
            return no_topic_reply(kb, reader)

        # The other readings are those of the question asked, not of the romance wording
        # that answers it: a sure "how long?" in a romantic conversation is not hedged.
        asked = topic
        if topic in ROMANCE_WORDING_FOR_TOPIC and is_romantic(
            tracker, tracker.get_slot(TOPIC_SLOT)
        ):
            followup = ROMANCE_WORDING_FOR_TOPIC[topic]
            topic = "romance"
            parts = kb.followup(topic, followup, reader) if followup else kb.answer(topic, reader)
        else:
            parts = kb.answer(topic, reader, question_phase(tracker))

        mention = time_mention(tracker, kb, latest_entity(tracker, "DATE"))
        reply = answer_reply(kb, topic, mention + parts, reader_regions(tracker))
        reply.events.extend(remember_phase(tracker))
        others = other_readings(tracker, asked, topic)
        return reply if others is None else hedged(kb, reader, reply, topic, others)


def other_readings(tracker: Tracker, *topics: str) -> Optional[List[str]]:
    """The likely topics other than `topics` (the one asked, and the one whose wording
    answers it) of a question the NLU was unsure of; None when it was sure."""
    latest = tracker.latest_message or {}
    confidence = (latest.get("intent") or {}).get("confidence")
    if (latest.get("intent") or {}).get("name") not in TOPIC_OF_INTENT or confidence is None:
        return None
    others = [(other, score) for other, score in ranked_topics(tracker) if other not in topics]
    close = any(score >= confidence - CLOSE_MARGIN for _, score in others)
    if confidence >= SURE_CONFIDENCE and not close:
        return None
    return [other for other, _ in others[:MOST_OTHER_READINGS]]


def hedged(kb: KnowledgeBase, reader: str, reply: Reply, topic: str, others: List[str]) -> Reply:
    """The answer, saying which question it answers, then buttons for the other readings."""
    intro = kb.text("hedge", "intro").format(asked_as=kb.topics[topic].asked_as)
    return Reply(
        kind=reply.kind,
        texts=[f"{intro} {reply.texts[0]}", kb.reader_text(reader, "hedge", "others")],
        custom={**reply.custom, "hedged": True, "other_topics": others},
        buttons=choice_buttons(kb, reader, others),
        events=reply.events,
    )


class ActionAnswerFollowup(ReplyAction):
    """Answers "why not?", "how long?", "what if we both want it?" and "what about
    online?" for the topic of the previous answer.

    In a romantic context every follow-up takes the romance topic's wording,
    whatever the previous topic: "how long till we can?" after an answer about
    feelings must never hear about the cooling-off period.
    """

    def name(self) -> Text:
        return "action_answer_followup"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        topic = tracker.get_slot(TOPIC_SLOT)
        if topic not in kb.topics:
            return no_topic_reply(kb, reader)
        followup = FOLLOWUP_OF_INTENT.get(latest_intent(tracker), "why")
        wording_topic = "romance" if is_romantic(tracker, topic) else topic
        parts = kb.followup(wording_topic, followup, reader)
        mention = time_mention(tracker, kb, latest_entity(tracker, "DATE"))
        return answer_reply(kb, topic, mention + parts, reader_regions(tracker))
