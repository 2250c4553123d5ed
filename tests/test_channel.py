"""The REST channel's request checks and its reply to over-long messages."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from rasa_extensions import channel
from rasa_extensions.channel import BadRequest, ValidatingRestInput, parse_request

LIMIT = 1000


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_keeps_rasas_channel_name_and_url():
    assert ValidatingRestInput.name() == "rest"
    assert ValidatingRestInput().url_prefix() == "rest"


def test_message_limit_comes_from_credentials(monkeypatch):
    monkeypatch.delenv("MAX_MESSAGE_CHARS", raising=False)
    assert ValidatingRestInput.from_credentials({"max_message_chars": 300}).max_message_chars == 300
    assert ValidatingRestInput.from_credentials(None).max_message_chars == 1000


def test_a_normal_request_passes_with_its_role():
    incoming = parse_request(
        body(sender="abc", message="Can we be friends?", metadata={"role": "client"}), LIMIT
    )
    assert (incoming.sender, incoming.text, incoming.metadata, incoming.too_long) == (
        "abc",
        "Can we be friends?",
        {"role": "client"},
        False,
    )


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"sender": "a", "message": "caf\xe9"}', "not valid UTF-8"),
        (b"[1, 2]", "JSON object"),
        (b"[" * 100_000, "not valid JSON"),
        (body(sender="a"), "message must be a string"),
        (body(sender="a", message=None), "message must be a string"),
        (body(sender="a", message=42), "message must be a string"),
        (body(sender="a", message=["hi"]), "message must be a string"),
        (body(sender="a", message=""), "message is empty"),
        (body(sender="a", message=" \n\t "), "message is empty"),
        (body(sender="a", message="\x00\x07\x1b"), "message is empty"),
        (body(message="hi"), "sender"),
        (body(sender="", message="hi"), "sender"),
        (body(sender=12, message="hi"), "sender"),
        (body(sender="x" * 100_000, message="hi"), "at most 128"),
        (body(sender="a\x00b", message="hi"), "letters, digits"),
        (body(sender="x'; touch /tmp/pwned; '", message="hi"), "letters, digits"),
        (body(sender="$(id)", message="hi"), "letters, digits"),
        (body(sender="a b", message="hi"), "letters, digits"),
        (body(sender="café", message="hi"), "letters, digits"),
        (body(sender="-rf", message="hi"), "starting with a letter"),
        (body(sender="../etc", message="hi"), "starting with a letter"),
        (body(sender="x" * 129, message="hi"), "at most 128"),
        (body(sender="a", message="hi", metadata="client"), "metadata"),
        (b"x" * (channel.MAX_BODY_BYTES + 1), "too large"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(raw, reason):
    with pytest.raises(BadRequest, match=reason):
        parse_request(raw, LIMIT)


@pytest.mark.parametrize(
    "sender",
    [
        "a",
        "s1",
        "6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b",  # the widget's crypto.randomUUID()
        "0123456789abcdef0123456789abcdef",  # the widget's fallback: 32 hex digits
        "bench-1a2b3c4d-17",
        "hostile-0123456789abcdef0123456789abcdef",
        "tenant.room:42_a",
        "x" * 128,
    ],
)
def test_conversation_ids_in_use_are_accepted(sender):
    assert parse_request(body(sender=sender, message="hi"), LIMIT).sender == sender


@pytest.mark.parametrize("metadata", [{"role": "admin"}, {"role": 7}, {}, None, {"other": "x"}])
def test_an_unknown_role_is_dropped(metadata):
    assert parse_request(body(sender="a", message="hi", metadata=metadata), LIMIT).metadata == {}


def test_role_spelling_is_forgiven_and_other_metadata_is_not_stored():
    incoming = parse_request(
        body(sender="a", message="hi", metadata={"role": " Therapist ", "email": "x@y.z"}), LIMIT
    )
    assert incoming.metadata == {"role": "therapist"}


def test_control_characters_and_lone_surrogates_are_removed():
    raw = b'{"sender": "a", "message": "can\\u0000 we\\u001b[31m be\\ud800 friends?\\r\\n\\tafter"}'
    assert parse_request(raw, LIMIT).text == "can we[31m be friends?\n\tafter"


def test_html_and_script_are_kept_as_text():
    text = '<script>alert("x")</script><b>can we be friends?</b>'
    assert parse_request(body(sender="a", message=text), LIMIT).text == text


def test_over_long_messages_are_flagged_not_refused():
    incoming = parse_request(body(sender="a", message="a" * 100_000), LIMIT)
    assert incoming.too_long
    assert not parse_request(body(sender="a", message="a" * LIMIT), LIMIT).too_long


def test_checking_a_huge_message_is_fast():
    raw = body(sender="a", message="\x01ab" * 100_000)
    start = time.perf_counter()
    parse_request(raw, LIMIT)
    assert time.perf_counter() - start < 0.5


def test_the_over_long_reply_follows_the_contract():
    channel.too_long_wording.cache_clear()
    incoming = parse_request(body(sender="s1", message="a" * 5000), LIMIT)
    reply = channel.too_long_reply(incoming, LIMIT)
    texts = [m["text"] for m in reply if "text" in m]
    customs = [m["custom"] for m in reply if "custom" in m]
    assert customs == [{"kind": "clarify", "reason": "too_long"}]
    assert all(m["recipient_id"] == "s1" for m in reply)
    assert len(texts) == 2 and "{max_chars}" not in texts[0] and str(LIMIT) in texts[0]
    assert any(word in texts[1].lower() for word in ("crisis", "988", "emergency"))


@pytest.mark.parametrize("role", ["client", "therapist", None])
def test_the_wording_comes_from_safety_replies_yml(role):
    from actions.knowledge import knowledge_base

    kb = knowledge_base()
    reader = role or "any"
    ask, _ = channel.too_long_wording(role)
    assert ask == kb.reader_text(reader, "too_long", "ask")


def test_a_clinics_own_wording_is_used(tmp_path):
    replies = yaml.safe_load(channel.SAFETY_FILE.read_text(encoding="utf-8"))
    replies["too_long"]["ask"]["client"] = "Shorter, please: {max_chars} characters at most."
    replies["too_long"]["crisis_intro"]["client"] = "In crisis? Please call:"
    safety = tmp_path / "safety_replies.yml"
    safety.write_text(yaml.safe_dump(replies))
    ask, lines = channel.too_long_wording("client", safety)
    assert ask == "Shorter, please: {max_chars} characters at most."
    assert lines.startswith("In crisis? Please call:\nUnited States:\n- 988")


@pytest.mark.parametrize("role", ["client", "therapist", None])
def test_the_crisis_lines_are_the_clinics_as_every_crisis_reply_gives_them(role):
    from actions.knowledge import knowledge_base
    from actions.safety import resources_text
    from project.clinic import clinic

    kb = knowledge_base()
    reader = role or "any"
    _, lines = channel.too_long_wording(role)
    intro = kb.reader_text(reader, "too_long", "crisis_intro")
    expected = resources_text(kb, intro, clinic().crisis())
    assert lines == f"{expected}\n{kb.text('crisis', 'elsewhere')}"
    for number in ("988", "741741", "911", "116 123", "85258", "999"):
        assert number in lines
    assert lines.endswith("call your local emergency number.")


def test_a_clinic_in_one_country_gives_that_countrys_lines(tmp_path):
    from project import clinic as clinic_settings

    shipped = clinic_settings.CLINIC_DIR / clinic_settings.CLINIC_FILE
    content = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    content["region"] = ["United Kingdom"]
    (tmp_path / clinic_settings.CLINIC_FILE).write_text(yaml.safe_dump(content))
    _, lines = channel.too_long_wording("client", channel.SAFETY_FILE, tmp_path)
    assert "Samaritans" in lines and "999" in lines
    assert "988" not in lines and "911" not in lines
    assert "local emergency number" in lines


@pytest.mark.parametrize(
    "content",
    [None, "too_long: [not, a, mapping]", "too_long:\n  ask: {client: Shorter please.}\n"],
)
def test_without_readable_wording_the_fallbacks_are_used(tmp_path, content):
    safety = tmp_path / "safety_replies.yml"
    if content is not None:
        safety.write_text(content)
    assert channel.too_long_wording(None, safety) == (
        channel.FALLBACK_TOO_LONG,
        channel.FALLBACK_CRISIS_LINE,
    )


def test_without_a_readable_clinic_file_the_fallbacks_are_used(tmp_path):
    assert channel.too_long_wording("client", channel.SAFETY_FILE, tmp_path) == (
        channel.FALLBACK_TOO_LONG,
        channel.FALLBACK_CRISIS_LINE,
    )


def test_no_crisis_wording_is_kept_in_the_channels_code_but_its_fallback():
    source = (channel.SAFETY_FILE.parent.parent / "rasa_extensions" / "channel.py").read_text()
    assert source.count("116 123") == 1 and source.count("988") == 1


@pytest.mark.parametrize(
    "values",
    [
        ["application/json"],
        ["application/json; charset=utf-8"],
        ['Application/JSON;charset="UTF-8"'],
    ],
)
def test_json_content_types_pass(values):
    channel.check_content_type(values)


@pytest.mark.parametrize(
    "values",
    [
        [],
        ["text/plain"],
        ["application/x-www-form-urlencoded"],
        ["multipart/form-data; boundary=x"],
        ["application/json; charset=latin-1"],
        ["application/json; boundary=x"],
        ["application/json", "text/plain"],
        ["application/jsonp"],
    ],
)
def test_other_content_types_are_refused(values):
    with pytest.raises(channel.UnsupportedMediaType):
        channel.check_content_type(values)
