"""The no-topic reply's buttons: known topics, every topic of ongoing therapy among them."""

from __future__ import annotations

from actions.answers import no_topic_reply
from actions.knowledge import knowledge_base
from project.topics import DURING_THERAPY_TOPICS


def test_the_no_topic_buttons_offer_every_topic_of_ongoing_therapy():
    kb = knowledge_base()
    offered = kb.words("no_topic", "topics")
    assert set(offered) <= set(kb.topics)
    assert set(DURING_THERAPY_TOPICS) <= set(offered)
    assert len(offered) == len(set(offered))
    payloads = [button["payload"] for button in no_topic_reply(kb, "client").buttons]
    assert payloads == [f"/ask_{topic}" for topic in offered]
