"""Safety and scope: crisis, misconduct, out of scope, hand-off and the two-stage fallback.

Every wording comes from knowledge/safety_replies.yml and every help line from
clinic/clinic.yml; these actions only choose and assemble them.
"""

from __future__ import annotations

import re
from typing import AbstractSet, Dict, Iterable, List, Optional, Sequence, Set, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted

from actions.answers import answer_reply, choice_buttons, ranked_topics
from actions.base import (
    CLARIFY,
    CRISIS,
    CRISIS_FOLLOWUP_SLOT,
    HANDOFF,
    MISCONDUCT,
    OUT_OF_SCOPE,
    Reply,
    ReplyAction,
)
from actions.knowledge import KnowledgeBase
from actions.regions import reader_regions
from project.clinic import DANGER, MINOR, SEXUAL_CONTACT, Clinic, Resource, clinic

THERAPIST = "therapist"
MOST_TOPICS_OFFERED = 3
# Contact fields named in a sentence ("call ... email ... hours ...").
SENTENCE_CONTACT_FIELDS = ("phone", "email", "hours")


def mentions(text: str, phrases: Iterable[str]) -> bool:
    """True when `text` contains one of `phrases` as whole words."""
    pattern = r"\b(" + "|".join(re.escape(phrase) for phrase in phrases) + r")\b"
    return re.search(pattern, text.lower()) is not None


def message_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def clinic_name(kb: KnowledgeBase, settings: Clinic) -> str:
    return settings.filled_contact.get("name") or kb.text("handoff", "unnamed_clinic")


def contact_lines(kb: KnowledgeBase, settings: Clinic, keys: Sequence[str]) -> List[str]:
    """Lines such as "Phone: ..." for the fields of `keys` the clinic has filled in."""
    filled = settings.filled_contact
    return [
        kb.text("handoff", "fields", key).format(value=filled[key]) for key in keys if key in filled
    ]


def offer_person(
    kb: KnowledgeBase, reader: str, settings: Clinic, section: str, with_contact: str, without: str
) -> str:
    """A sentence offering a person at the clinic, with its contact where it is filled in."""
    if not settings.reachable:
        return kb.reader_text(reader, section, without)
    contact = "; ".join(contact_lines(kb, settings, SENTENCE_CONTACT_FIELDS))
    return kb.reader_text(reader, section, with_contact).format(
        clinic=clinic_name(kb, settings), contact=contact
    )


def resource_line(kb: KnowledgeBase, resource: Resource) -> str:
    """One help line, e.g. "988 Suicide & Crisis Lifeline: call or text 988, <url>. <note>"."""
    lines = kb.mapping("resource_lines")
    ways = []
    if resource.phone and resource.phone == resource.sms:
        ways.append(lines["call_or_text"].format(phone=resource.phone))
    else:
        if resource.phone:
            ways.append(lines["call"].format(phone=resource.phone))
        if resource.sms:
            key = "text_word" if resource.sms_body else "text"
            ways.append(lines[key].format(sms=resource.sms, sms_body=resource.sms_body))
    if resource.url:
        ways.append(lines["url"].format(url=resource.url))
    sentences = [f"{resource.name}: {', '.join(ways)}." if ways else f"{resource.name}:"]
    if resource.note:
        sentences.append(resource.note)
    return " ".join(sentences)


def resources_text(kb: KnowledgeBase, intro: str, resources: Sequence[Resource]) -> str:
    """The intro, then the resources grouped under their region."""
    blocks = [intro]
    regions = list(dict.fromkeys(resource.region for resource in resources))
    for region in regions:
        blocks.append(kb.text("resource_lines", "region").format(region=region))
        blocks.extend(
            f"- {resource_line(kb, resource)}"
            for resource in resources
            if resource.region == region
        )
    return "\n".join(blocks)


def resource_dicts(resources: Sequence[Resource]) -> List[Dict[str, str]]:
    return [resource.as_dict() for resource in resources]


# Crisis situations with wording of their own (knowledge/safety_replies.yml, crisis), first wins.
DOMESTIC_VIOLENCE = "domestic_violence"
SOMEONE_ELSE = "someone_else"


def crisis_situation(
    kb: KnowledgeBase, text: str, families: AbstractSet[str] = frozenset()
) -> Optional[str]:
    """Violence at home or worry about someone else; None when the writer speaks of their own risk.

    `families` are the crisis pattern families that matched the message. The default wording
    asks whether the writer might act on their thoughts, which misreads someone who is being
    hurt or who worries about another person; it stays whenever the message also speaks of
    the writer's own risk.
    """
    if mentions(text, kb.words("crisis", "own_risk_words")):
        return None
    for situation in (DOMESTIC_VIOLENCE, SOMEONE_ELSE):
        if families & set(kb.words("crisis", situation, "pattern_families")) or mentions(
            text, kb.words("crisis", situation, "words")
        ):
            return situation
    return None


def crisis_families(tracker: Tracker) -> Set[str]:
    """The pattern families rasa_extensions/nlu/crisis_detector.py found in the latest message."""
    detection = (tracker.latest_message or {}).get("crisis_detection") or {}
    return {str(match.get("family")) for match in detection.get("matches") or []}


class ActionRespondCrisis(ReplyAction):
    """Help lines and a person, first and only: no boundary answer in the same reply."""

    def name(self) -> Text:
        return "action_respond_crisis"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        settings = clinic()
        resources = settings.crisis()
        situation = crisis_situation(kb, message_text(tracker), crisis_families(tracker))
        wording = ("crisis", situation) if situation else ("crisis",)
        lines = resources_text(kb, kb.reader_text(reader, *wording, "resources_intro"), resources)
        # The lines cover the clinic's regions only; everyone else needs their own number.
        texts = [
            kb.reader_text(reader, *wording, "recognise"),
            f"{lines}\n{kb.reader_text(reader, 'crisis', 'elsewhere')}",
        ]
        if reader == THERAPIST:
            texts.append(kb.reader_text(reader, "crisis", "therapist_protocol"))
        person = offer_person(kb, reader, settings, "crisis", "person", "person_not_set")
        texts.append(f"{person} {kb.reader_text(reader, 'crisis', 'what_i_am')}")
        return Reply(
            kind=CRISIS,
            texts=texts,
            custom={"resources": resource_dicts(resources)},
            events=[SlotSet(CRISIS_FOLLOWUP_SLOT, True)],
            states_what_it_is=True,
        )


def misconduct_situations(kb: KnowledgeBase, text: str) -> Set[str]:
    """What a misconduct message speaks of (clinic.WHEN_VALUES): each adds resources."""
    cues = {
        SEXUAL_CONTACT: "sexual_contact_words",
        DANGER: "danger_words",
        MINOR: "minor_words",
    }
    return {
        situation for situation, key in cues.items() if mentions(text, kb.words("misconduct", key))
    }


def describes_what_happened(kb: KnowledgeBase, text: str, situations: Set[str]) -> bool:
    """False for a bare question about how reporting works ("how do I report a therapist?")."""
    if situations & {SEXUAL_CONTACT, DANGER} or mentions(
        text, kb.words("misconduct", "disclosure_words")
    ):
        return True
    return not mentions(text, kb.words("misconduct", "report_question_words"))


def only_a_hug_or_handshake(kb: KnowledgeBase, text: str, situations: Set[str]) -> bool:
    """A goodbye hug or a handshake, with nothing sexual, unwanted or dangerous about it."""
    return (
        mentions(text, kb.words("misconduct", "touch_words"))
        and not situations & {SEXUAL_CONTACT, DANGER}
        and not mentions(text, kb.words("misconduct", "unwanted_words"))
    )


class ActionRespondMisconduct(ReplyAction):
    """A possible violation by a therapist: validation, the facts and how to report it.

    A hug or a handshake alone is a boundary question, answered with the touch topic's
    answer: it is fine to say no, and a touch that felt sexual or unwanted can be reported.
    """

    def name(self) -> Text:
        return "action_respond_misconduct"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        text = message_text(tracker)
        situations = misconduct_situations(kb, text)
        if only_a_hug_or_handshake(kb, text, situations):
            touch = kb.answer("touch", reader)
            return answer_reply(kb, "touch", touch, reader_regions(tracker))
        settings = clinic()
        resources = settings.misconduct(situations)
        opening = "validate" if describes_what_happened(kb, text, situations) else "neutral"
        report = [
            kb.reader_text(reader, "misconduct", "facts"),
            kb.reader_text(reader, "misconduct", "report"),
        ]
        if MINOR in situations:
            report.append(kb.reader_text(reader, "misconduct", "child_protection"))
        else:
            report.append(kb.reader_text(reader, "misconduct", "report_limits"))
        texts = [kb.reader_text(reader, "misconduct", opening), " ".join(report)]
        if DANGER in situations:
            texts.append(kb.reader_text(reader, "misconduct", "danger"))
        texts.append(kb.reader_text(reader, "misconduct", "leave"))
        if reader == THERAPIST:
            texts.append(kb.reader_text(reader, "misconduct", "duties"))
        texts.append(
            resources_text(kb, kb.reader_text(reader, "misconduct", "resources_intro"), resources)
        )
        texts.append(offer_person(kb, reader, settings, "misconduct", "person", "person_not_set"))
        return Reply(kind=MISCONDUCT, texts=texts, custom={"resources": resource_dicts(resources)})


class ActionRespondOutOfScope(ReplyAction):
    """What the assistant can help with; never an improvised answer."""

    def name(self) -> Text:
        return "action_respond_out_of_scope"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        text = message_text(tracker)
        texts = [kb.reader_text(reader, "out_of_scope", "scope")]
        if mentions(text, kb.words("out_of_scope", "professional_words")):
            texts.append(kb.reader_text(reader, "out_of_scope", "professional"))
        if mentions(text, kb.words("out_of_scope", "clinic_words")):
            texts.append(kb.reader_text(reader, "out_of_scope", "clinic_matters"))
        return Reply(kind=OUT_OF_SCOPE, texts=texts)


class ActionHandOff(ReplyAction):
    """The clinic's name, phone, email and hours, as far as the clinic has filled them in."""

    def name(self) -> Text:
        return "action_hand_off"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        settings = clinic()
        if settings.reachable:
            intro = kb.reader_text(reader, "handoff", "intro").format(
                clinic=clinic_name(kb, settings)
            )
            lines = contact_lines(kb, settings, ("phone", "email", "hours", "website"))
            texts = ["\n".join([intro] + lines)]
        else:
            texts = [
                kb.reader_text(reader, "handoff", "not_set"),
                kb.reader_text(reader, "handoff", "urgent"),
            ]
        return Reply(kind=HANDOFF, texts=texts, custom={"contact": settings.filled_contact})


class ActionDefaultAskAffirmation(ReplyAction):
    """First miss: which of the likeliest topics was meant, or none of them."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        topics = likeliest_topics(tracker)
        if len(topics) < 2:
            defaults = kb.words("no_topic", "topics")
            topics += [t for t in defaults if t not in topics][: MOST_TOPICS_OFFERED - len(topics)]
        return Reply(
            kind=CLARIFY,
            texts=[kb.reader_text(reader, "clarify", "affirm")],
            custom={"topics": topics},
            buttons=choice_buttons(kb, reader, topics),
        )


def likeliest_topics(tracker: Tracker) -> List[str]:
    """The topics of the best-ranked ask_* intents of the latest message."""
    topics = [topic for topic, _ in ranked_topics(tracker)]
    return list(dict.fromkeys(topics))[:MOST_TOPICS_OFFERED]


class ActionDefaultAskRephrase(ReplyAction):
    """After "None of these": ask for the question in other words."""

    def name(self) -> Text:
        return "action_default_ask_rephrase"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        return Reply(kind=CLARIFY, texts=[kb.reader_text(reader, "clarify", "rephrase")])


class ActionDefaultFallback(ReplyAction):
    """Second miss: say what the assistant does and offer the clinic's contact."""

    def name(self) -> Text:
        return "action_default_fallback"

    def respond(self, tracker: Tracker, reader: str, kb: KnowledgeBase) -> Reply:
        settings = clinic()
        offer = offer_person(
            kb, reader, settings, "clarify", "fallback_contact", "fallback_no_contact"
        )
        return Reply(
            kind=CLARIFY,
            texts=[kb.reader_text(reader, "clarify", "fallback"), offer],
            custom={"contact": settings.filled_contact},
            # As Rasa's own fallback does: forget the missed message, so the rules do not
            # predict this fallback again for it (they would, up to Rasa's prediction limit).
            events=[UserUtteranceReverted()],
        )
