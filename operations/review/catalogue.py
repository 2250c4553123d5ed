"""Which conversations the review replays: every reply the assistant can give.

Each reply is produced by the action that gives it in a real conversation, on a
tracker that leads there (actions/ decides the wording, never this module). Topics
come from actions.knowledge.TOPICS, so a new topic appears without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from actions.answers import (
    ROMANCE_WORDING_FOR_TOPIC,
    ActionAnswerFollowup,
    ActionAnswerTopic,
)
from actions.base import ReplyAction
from actions.feedback import ActionRecordFeedback
from actions.knowledge import FOLLOWUPS, READERS, TOPICS, KnowledgeBase
from actions.safety import (
    ActionDefaultAskAffirmation,
    ActionDefaultAskRephrase,
    ActionDefaultFallback,
    ActionHandOff,
    ActionRespondCrisis,
    ActionRespondMisconduct,
    ActionRespondOutOfScope,
    crisis_situation,
    describes_what_happened,
    misconduct_situations,
    only_a_hug_or_handshake,
)
from actions.smalltalk import SMALLTALK_INTENTS, ActionRespondSmalltalk
from operations.review.conversation import Said, say, tracker
from project.clinic import DANGER, MINOR, SEXUAL_CONTACT
from project.paths import PROJECT_ROOT
from project.yaml_files import load_mapping

READER_NAMES = {"client": "Client", "therapist": "Therapist", "any": "Reader of unknown role"}
FOLLOWUP_NAMES = {
    "why": 'Follow-up "Why?" (also "what else?" and further details)',
    "how_long": 'Follow-up "How long?"',
    "both_want": 'Follow-up "What if we both want it?"',
    "online": 'Follow-up "What about online?"',
}
INTENT_OF_FOLLOWUP = {followup: f"followup_{followup}" for followup in FOLLOWUPS}
SMALLTALK_NAMES = {
    "greet": "Greeting",
    "thank": "Thanks",
    "goodbye": "Goodbye",
    "ask_bot_identity": '"Are you a bot?"',
}


ANSWER = ActionAnswerTopic()
FOLLOWUP = ActionAnswerFollowup()
MISCONDUCT = ActionRespondMisconduct()


class ReviewError(RuntimeError):
    """An example message no longer leads to the reply it stands for."""


@dataclass
class Entry:
    """One reply to one reader."""

    key: str  # stable and unique: the HTML anchor, and how region variants are matched
    reader: str
    said: Said
    asked: str = ""  # the example message, where the wording depends on its words


@dataclass
class Group:
    """The replies to one question, one per reader (or the variants of one situation)."""

    key: str
    title: str
    entries: List[Entry]
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str
    groups: List[Group] = field(default_factory=list)


def per_reader(key: str, action: ReplyAction, asked: str = "", **conversation: Any) -> List[Entry]:
    """The action's reply to each reader; `conversation` builds the tracker (see
    conversation.tracker), and `asked` shows the message, by default its text."""
    return [
        Entry(
            f"{key}-{reader}",
            reader,
            say(action, tracker(reader=reader, **conversation)),
            asked or conversation.get("text", ""),
        )
        for reader in READERS
    ]


# ------------------------------------------------------------------------ topics


def topic_groups(kb: KnowledgeBase, topic: str) -> List[Group]:
    """A topic's answer (and its wording for ongoing therapy), then each follow-up."""
    intent = f"ask_{topic}"
    key = f"topic-{topic}"
    groups = [Group(f"{key}-answer", "Answer", per_reader(f"{key}-answer", ANSWER, intent=intent))]
    if kb.topics[topic].during:
        groups.append(
            Group(
                f"{key}-during",
                "Answer about ongoing therapy",
                per_reader(f"{key}-during", ANSWER, intent=intent, slots={"phase": "during"}),
                note="When the question, or the conversation, is about therapy still going on.",
            )
        )
    for followup in FOLLOWUPS:
        groups.append(
            Group(
                f"{key}-{followup}",
                FOLLOWUP_NAMES[followup],
                per_reader(
                    f"{key}-{followup}",
                    FOLLOWUP,
                    intent=INTENT_OF_FOLLOWUP[followup],
                    slots={"topic": topic},
                ),
            )
        )
    return groups


def topic_sections(kb: KnowledgeBase) -> List[Section]:
    return [
        Section(
            f"topic-{topic}",
            kb.topics[topic].title,
            f"Topic {topic}: when someone asks {kb.topics[topic].asked_as}.",
            topic_groups(kb, topic),
        )
        for topic in TOPICS
    ]


ROMANTIC_MESSAGE = "I think I'm falling for my therapist."


def romance_section(kb: KnowledgeBase) -> Section:
    """What other topics become once a conversation is about romance or sex."""
    groups = [
        Group(
            f"romance-context-{topic}",
            f"{kb.topics[topic].title}, asked after a romance question",
            per_reader(
                f"romance-context-{topic}",
                ANSWER,
                intent=f"ask_{topic}",
                slots={"topic": "romance"},
            ),
        )
        for topic in ROMANCE_WORDING_FOR_TOPIC
    ]
    groups += [
        Group(
            f"romance-context-followup-{followup}",
            f"{FOLLOWUP_NAMES[followup]} after a friendship answer, in a romantic conversation",
            per_reader(
                f"romance-context-followup-{followup}",
                FOLLOWUP,
                asked=f'Earlier in the conversation: "{ROMANTIC_MESSAGE}"',
                intent=INTENT_OF_FOLLOWUP[followup],
                slots={"topic": "friendship"},
                earlier=(ROMANTIC_MESSAGE, "Can we be friends?"),
            ),
        )
        for followup in FOLLOWUPS
    ]
    return Section(
        "romance-context",
        "Romance variants",
        "Once a conversation has touched romance or sex (the romance or feelings topic, a "
        "romantic relationship named, or romantic words anywhere in it), these questions take the "
        "romance topic's stricter wording, and every follow-up takes romance's follow-up wording, "
        "so no reader ever hears about a cooling-off period as a route to a relationship.",
        groups,
    )


# ------------------------------------------------------------------------ safety

CRISIS_SITUATIONS: Tuple[Tuple[str, str, Optional[str]], ...] = (
    ("own", "The writer's own risk (self-harm, suicide)", None),
    ("domestic_violence", "Violence or abuse at home", "domestic_violence"),
    ("someone_else", "Worry about someone else (a client, a friend, a relative)", "someone_else"),
)
AFTER_CRISIS = (
    ("greet", "Hello", "a greeting"),
    ("thank", "Thank you", "thanks"),
    ("goodbye", "Bye", "a goodbye"),
    ("out_of_scope", "I don't really know, I just feel numb.", "a free-text answer"),
)


def crisis_section(kb: KnowledgeBase) -> Section:
    groups = []
    for key, title, situation in CRISIS_SITUATIONS:
        families = kb.words("crisis", situation, "pattern_families")[:1] if situation else []
        if crisis_situation(kb, "", set(families)) != situation:
            raise ReviewError(f"crisis: pattern family {families} no longer selects {situation}")
        groups.append(
            Group(
                f"crisis-{key}",
                title,
                per_reader(
                    f"crisis-{key}",
                    ActionRespondCrisis(),
                    intent="crisis",
                    crisis_families=families,
                ),
            )
        )
    for intent, message, what in AFTER_CRISIS:
        action = ActionRespondOutOfScope() if intent == "out_of_scope" else ActionRespondSmalltalk()
        groups.append(
            Group(
                f"after-crisis-{intent}",
                f"The next message after a crisis reply: {what}",
                per_reader(
                    f"after-crisis-{intent}",
                    action,
                    text=message,
                    intent=intent,
                    slots={"crisis_followup": True},
                ),
            )
        )
    return Section(
        "crisis",
        "Crisis",
        "Any sign of risk of self-harm, suicide or immediate danger gets these replies first and "
        "only; the help lines are those of the clinic's regions (clinic/clinic.yml). Whatever "
        "the person writes next is answered gently.",
        groups,
    )


# Example messages: each must still lead to the situations and opening it stands for.
MISCONDUCT_EXAMPLES: Tuple[Tuple[str, str, Tuple[str, ...], bool], ...] = (
    ("disclosure", "My therapist asked me for money and told me to keep it a secret.", (), True),
    (
        "sexual-contact",
        "My therapist kissed me at the end of our session.",
        (SEXUAL_CONTACT,),
        True,
    ),
    ("danger", "My old therapist keeps following me and has threatened me.", (DANGER,), True),
    ("minor", "My daughter's therapist sends her inappropriate messages.", (MINOR,), True),
    ("how-to-report", "How do I report a therapist?", (), False),
    ("how-to-report-minor", "How do I report a therapist who treats a child?", (MINOR,), False),
)
HUG_EXAMPLE = "My therapist hugged me goodbye at our last session."


def misconduct_section(kb: KnowledgeBase) -> Section:
    groups = []
    for key, message, situations, disclosure in MISCONDUCT_EXAMPLES:
        found = misconduct_situations(kb, message)
        if found != set(situations) or describes_what_happened(kb, message, found) != disclosure:
            raise ReviewError(f"misconduct example {message!r} no longer reads as {key}")
        title = "Someone describes what happened" if disclosure else "Someone asks how to report"
        if situations:
            title += f" ({', '.join(s.replace('_', ' ') for s in situations)})"
        groups.append(
            Group(
                f"misconduct-{key}",
                title,
                per_reader(
                    f"misconduct-{key}", MISCONDUCT, text=message, intent="report_misconduct"
                ),
            )
        )
    if not only_a_hug_or_handshake(kb, HUG_EXAMPLE, misconduct_situations(kb, HUG_EXAMPLE)):
        raise ReviewError(f"{HUG_EXAMPLE!r} no longer reads as a hug alone")
    groups.append(
        Group(
            "misconduct-hug",
            "A hug or a handshake alone: a boundary question, not misconduct",
            per_reader("misconduct-hug", MISCONDUCT, text=HUG_EXAMPLE, intent="report_misconduct"),
        )
    )
    return Section(
        "misconduct",
        "Misconduct",
        "Possible exploitation or abuse by a therapist, or how to report it. The opening depends "
        "on whether the person describes what happened; sexual contact, danger and a child each "
        "add their resources (clinic/clinic.yml, misconduct_resources).",
        groups,
    )


OUT_OF_SCOPE_EXAMPLES = (
    ("other", "What's the weather like tomorrow?", "something else entirely"),
    ("own-health", "Can you help me with my anxiety medication?", "help with their own health"),
    ("clinic", "How do I cancel my appointment?", "a practical matter for the clinic"),
)


def scope_section() -> Section:
    handoff = Group(
        "handoff",
        "Asking for a person at the clinic",
        per_reader(
            "handoff", ActionHandOff(), text="Can I talk to a person?", intent="request_human"
        ),
    )
    out_of_scope = [
        Group(
            f"out-of-scope-{key}",
            f"Out of scope: {title}",
            per_reader(
                f"out-of-scope-{key}",
                ActionRespondOutOfScope(),
                text=message,
                intent="out_of_scope",
            ),
        )
        for key, message, title in OUT_OF_SCOPE_EXAMPLES
    ]
    return Section(
        "scope",
        "Hand-off and out of scope",
        "A person at the clinic, with the contact details clinic.yml has filled in; and what the "
        "assistant says to anything outside boundaries between therapists and clients.",
        [handoff, *out_of_scope],
    )


# Read as friendship (50%) or social media (45%): an answer it is not sure of.
UNSURE = (("ask_friendship", 0.5), ("ask_social_media", 0.45), ("ask_chance_encounter", 0.1))
MISSED = ("nlu_fallback", 0.3)


def conversation_section() -> Section:
    smalltalk = ActionRespondSmalltalk()
    groups = [
        Group(
            "disclaimer",
            "The first reply of a conversation: the disclaimer, then the reply",
            per_reader("disclaimer", smalltalk, text="Hello", intent="greet", earlier=()),
        ),
        *(
            Group(
                f"smalltalk-{intent}",
                SMALLTALK_NAMES[intent],
                per_reader(f"smalltalk-{intent}", smalltalk, intent=intent),
            )
            for intent in SMALLTALK_INTENTS
        ),
        Group(
            "feedback",
            'A "Was this helpful?" vote in the web chat',
            per_reader("feedback", ActionRecordFeedback(), intent="give_feedback"),
        ),
        Group(
            "hedged",
            "An answer the assistant is not sure of: it names the question it answers",
            per_reader("hedged", ANSWER, ranking=UNSURE),
            note="Here the message read as friendship (50%) or social media (45%).",
        ),
        Group(
            "clarify-affirm",
            "First miss: which topic was meant",
            per_reader("clarify-affirm", ActionDefaultAskAffirmation(), ranking=(MISSED, *UNSURE)),
        ),
        Group(
            "clarify-affirm-default",
            "First miss, with no likely topic: the default topics",
            per_reader("clarify-affirm-default", ActionDefaultAskAffirmation(), ranking=(MISSED,)),
        ),
        Group(
            "clarify-rephrase",
            'After "None of these": asking for other words',
            per_reader("clarify-rephrase", ActionDefaultAskRephrase(), intent="out_of_scope"),
        ),
        Group(
            "clarify-fallback",
            "Second miss: what the assistant does, and a person",
            per_reader("clarify-fallback", ActionDefaultFallback(), intent="nlu_fallback"),
        ),
        Group(
            "no-topic",
            'A follow-up with nothing to follow ("why not?" as a first question)',
            per_reader("no-topic", FOLLOWUP, intent="followup_why"),
        ),
        Group(
            "too-long",
            "A message over the length limit",
            [Entry(f"too-long-{reader}", reader, too_long_reply(reader)) for reader in READERS],
        ),
    ]
    return Section(
        "conversation",
        "Disclaimer, small talk and clarifying",
        "The disclaimer said once per conversation, small talk, and what the assistant says when "
        "it is unsure what was asked.",
        groups,
    )


def too_long_reply(reader: str) -> Said:
    """The channel's own reply to an over-long message (it never reaches the actions)."""
    # Imported here: the channel brings in Rasa itself, which only this reply needs.
    from rasa_extensions.channel import Incoming, ValidatingRestInput
    from rasa_extensions.channel import too_long_reply as channel_reply

    channels = load_mapping(PROJECT_ROOT / "credentials.yml")
    channel = channels.get("rasa_extensions.channel.ValidatingRestInput") or {}
    limit = ValidatingRestInput(channel.get("max_message_chars")).max_message_chars
    metadata = {"role": reader} if reader != "any" else {}
    messages = channel_reply(
        Incoming(sender="content-review", text="", metadata=metadata, too_long=True), limit
    )
    texts = tuple(m["text"] for m in messages if m.get("text"))
    custom: Dict[str, Any] = next((m["custom"] for m in messages if m.get("custom")), {})
    return Said(texts, (), custom)


def catalogue(kb: KnowledgeBase) -> List[Section]:
    """Every reply, in the document's order."""
    return [
        *topic_sections(kb),
        romance_section(kb),
        crisis_section(kb),
        misconduct_section(kb),
        scope_section(),
        conversation_section(),
    ]


def entries(sections: Sequence[Section]) -> Dict[str, Tuple[Section, Group, Entry]]:
    """Every entry by its key."""
    return {
        entry.key: (section, group, entry)
        for section in sections
        for group in section.groups
        for entry in group.entries
    }
