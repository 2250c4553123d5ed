"""The knowledge base loads, is complete, and names the file and entry of a mistake."""

import shutil
from pathlib import Path

import pytest
import yaml

from actions.knowledge import (
    FOLLOWUPS,
    KNOWLEDGE_DIR,
    POINT_IDS,
    READERS,
    TOPICS,
    KnowledgeError,
    compose,
    knowledge_base,
    load,
    normalise,
)

SHARED_SOURCE = KNOWLEDGE_DIR.parent.parent / "shared" / "source" / "post-therapy-relationships.md"


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    return copy


def edit(directory: Path, name: str, change) -> None:
    path = directory / name
    content = yaml.safe_load(path.read_text())
    change(content)
    path.write_text(yaml.safe_dump(content, sort_keys=False))


def test_the_project_knowledge_base_loads_completely():
    kb = load()
    assert set(kb.points) == set(POINT_IDS)
    assert set(kb.topics) == set(TOPICS)
    for topic in TOPICS:
        for reader in READERS:
            assert compose(kb.answer(topic, reader))
            for followup in FOLLOWUPS:
                assert compose(kb.followup(topic, followup, reader))


@pytest.mark.skipif(
    not SHARED_SOURCE.exists(), reason="the clinic's shared document is not beside the project"
)
def test_the_project_keeps_an_exact_copy_of_the_clinic_document():
    copy = (KNOWLEDGE_DIR / "post-therapy-relationships.md").read_text()
    assert normalise(copy) == normalise(SHARED_SOURCE.read_text())


def test_every_passage_is_quoted_from_the_document():
    kb = load()
    for point in kb.points.values():
        assert point.passage in kb.document


def test_romance_never_offers_the_cooling_off_period():
    kb = load()
    for reader in READERS:
        wordings = [kb.answer("romance", reader)] + [
            kb.followup("romance", followup, reader) for followup in FOLLOWUPS
        ]
        for parts in wordings:
            assert all("cooling_off" not in part.points for part in parts)
            assert "cooling" not in compose(parts).lower()


def test_an_unknown_point_id_names_file_and_entry(knowledge_copy):
    edit(
        knowledge_copy,
        "topics.yml",
        lambda c: c["topics"]["gifts"]["answer"]["client"][0]["points"].append("kindness"),
    )
    with pytest.raises(
        KnowledgeError,
        match=r"topics\.yml: topics\.gifts\.answer\.client\[0\]: unknown point id 'kindness'",
    ):
        load(knowledge_copy)


def test_a_topic_with_no_answer_is_an_error(knowledge_copy):
    edit(knowledge_copy, "topics.yml", lambda c: c["topics"].pop("events"))
    with pytest.raises(KnowledgeError, match=r"topics\.yml: topics: no answer for events"):
        load(knowledge_copy)


def test_a_missing_topic_of_ongoing_therapy_names_its_file(knowledge_copy):
    edit(knowledge_copy, "topics_during_therapy.yml", lambda c: c["topics"].pop("touch"))
    with pytest.raises(
        KnowledgeError, match=r"topics_during_therapy\.yml: topics: no answer for touch"
    ):
        load(knowledge_copy)


def test_a_topic_without_wording_for_a_reader_is_an_error(knowledge_copy):
    edit(knowledge_copy, "topics.yml", lambda c: c["topics"]["gifts"]["answer"].pop("therapist"))
    with pytest.raises(KnowledgeError, match=r"topics\.gifts\.answer: no wording for therapist"):
        load(knowledge_copy)


def test_a_point_with_no_passage_is_an_error(knowledge_copy):
    edit(knowledge_copy, "points.yml", lambda c: c["points"]["referral"].pop("passage"))
    with pytest.raises(
        KnowledgeError, match=r"points\.yml: points\.referral\.passage: needs non-empty text"
    ):
        load(knowledge_copy)


def test_a_missing_point_is_an_error(knowledge_copy):
    edit(knowledge_copy, "points.yml", lambda c: c["points"].pop("objectivity"))
    with pytest.raises(KnowledgeError, match=r"points\.yml: points: no passage for objectivity"):
        load(knowledge_copy)


def test_a_passage_not_in_the_document_is_an_error(knowledge_copy):
    edit(
        knowledge_copy,
        "points.yml",
        lambda c: c["points"]["referral"].update(passage="Therapists must always refer clients."),
    )
    with pytest.raises(KnowledgeError, match=r"points\.referral\.passage: is not a passage of"):
        load(knowledge_copy)


def test_an_unknown_point_in_points_file_is_an_error(knowledge_copy):
    edit(
        knowledge_copy,
        "points.yml",
        lambda c: c["points"].update(
            honesty={"title": "Honesty", "passage": "x", "client": "x", "therapist": "x"}
        ),
    )
    with pytest.raises(KnowledgeError, match=r"points\.honesty: unknown point id"):
        load(knowledge_copy)


def test_romance_citing_cooling_off_is_refused(knowledge_copy):
    edit(
        knowledge_copy,
        "topics.yml",
        lambda c: c["topics"]["romance"]["answer"]["any"][0]["points"].append("cooling_off"),
    )
    with pytest.raises(
        KnowledgeError, match=r"topics\.romance\.answer\.any\[0\]: must not use point 'cooling_off'"
    ):
        load(knowledge_copy)


def test_broken_yaml_names_the_file(knowledge_copy):
    (knowledge_copy / "followups.yml").write_text("followups: [unclosed")
    with pytest.raises(KnowledgeError, match=r"followups\.yml: \(file\): not valid YAML"):
        load(knowledge_copy)


def test_typed_accessors_give_text_words_and_mappings():
    kb = knowledge_base()
    assert isinstance(kb.text("disclaimer", "client"), str)
    assert kb.reader_text("client", "disclaimer") == kb.text("disclaimer", "client")
    assert kb.reader_text("therapist", "handoff", "unnamed_clinic") == kb.text(
        "handoff", "unnamed_clinic"
    )
    assert kb.words("no_topic", "topics") and all(
        isinstance(w, str) for w in kb.words("no_topic", "topics")
    )
    assert set(kb.mapping("resource_lines")) >= {"call", "url", "region"}
    assert kb.has("after_crisis", "greet") and not kb.has("after_crisis", "no_such_intent")


def test_an_entry_of_the_wrong_kind_names_the_entry():
    kb = knowledge_base()
    with pytest.raises(KnowledgeError, match=r"replies: disclaimer: needs text"):
        kb.text("disclaimer")
    with pytest.raises(KnowledgeError, match=r"replies: disclaimer.client: needs a list"):
        kb.words("disclaimer", "client")
