"""The clinic's settings: the shipped file loads, and every mistake names the file and entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml

from project.clinic import CLINIC_DIR, CLINIC_FILE, ClinicError, is_placeholder, load

SHIPPED = yaml.safe_load((CLINIC_DIR / CLINIC_FILE).read_text(encoding="utf-8"))


def load_edited(tmp_path: Path, edit: Callable[[Dict[str, Any]], None]):
    content = yaml.safe_load(yaml.safe_dump(SHIPPED))
    edit(content)
    (tmp_path / CLINIC_FILE).write_text(yaml.safe_dump(content, sort_keys=False))
    return load(tmp_path)


def test_the_shipped_file_loads_with_its_defaults():
    clinic = load()
    assert clinic.regions == ("United States", "United Kingdom")
    assert clinic.web_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    numbers = {r.phone or r.sms for r in clinic.crisis()}
    assert {"988", "741741", "911", "116 123", "85258", "999"} <= numbers


def test_the_shipped_contact_is_all_placeholders():
    clinic = load()
    assert all(is_placeholder(value) for value in clinic.contact.values())
    assert clinic.filled_contact == {}
    assert clinic.unfilled == ["name", "phone", "email", "hours", "website"]
    assert not clinic.reachable


def test_filled_fields_are_exposed_and_placeholders_are_not(tmp_path):
    clinic = load_edited(tmp_path, lambda c: c["clinic"].update(phone="555-0100"))
    assert clinic.filled_contact == {"phone": "555-0100"}
    assert clinic.reachable


def test_regions_choose_the_resources(tmp_path):
    clinic = load_edited(tmp_path, lambda c: c.update(region=["United Kingdom"]))
    assert {r.region for r in clinic.crisis()} == {"United Kingdom"}
    assert all(r.region == "United Kingdom" for r in clinic.misconduct({"sexual_contact"}))


def test_sexual_contact_adds_the_sexual_assault_resources():
    clinic = load()
    names = [r.name for r in clinic.misconduct({"sexual_contact"})]
    assert "RAINN National Sexual Assault Hotline" in names
    assert "RAINN National Sexual Assault Hotline" not in [r.name for r in clinic.misconduct()]


def test_an_unquoted_number_is_still_a_phone_number(tmp_path):
    def edit(content):
        content["crisis_resources"][0]["phone"] = 988

    assert load_edited(tmp_path, edit).crisis()[0].phone == "988"


@pytest.mark.parametrize(
    "edit, entry",
    [
        (lambda c: c["clinic"].pop("phone"), "clinic.phone"),
        (lambda c: c["clinic"].update(phone=""), "clinic.phone"),
        (lambda c: c["clinic"].update(fax="123"), "clinic.fax"),
        (lambda c: c.pop("clinic"), "clinic"),
        (lambda c: c.update(region=["United States", "Atlantis"]), "region[1]"),
        (lambda c: c.update(region=[]), "region"),
        (lambda c: c.update(web_origins=["localhost:8080"]), "web_origins[0]"),
        (lambda c: c["crisis_resources"][0].pop("name"), "crisis_resources[0].name"),
        (lambda c: c["crisis_resources"][2].pop("region"), "crisis_resources[2].region"),
        (lambda c: c["crisis_resources"][1].update(fax="1"), "crisis_resources[1].fax"),
        (
            lambda c: c["misconduct_resources"][1].update(region="Atlantis"),
            "misconduct_resources[1].region",
        ),
        (
            lambda c: c["misconduct_resources"][1].update(when="always"),
            "misconduct_resources[1].when",
        ),
        (
            lambda c: c["crisis_resources"].append({"name": "Nothing", "region": "United States"}),
            "crisis_resources[6]",
        ),
    ],
)
def test_mistakes_name_the_file_and_the_entry(tmp_path, edit, entry):
    with pytest.raises(ClinicError) as error:
        load_edited(tmp_path, edit)
    assert str(error.value).startswith(f"{CLINIC_FILE}: {entry}: ")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ClinicError, match=r"^clinic\.yml: \(file\): missing"):
        load(tmp_path)


def test_the_action_server_and_the_server_start_apply_the_same_origin_rules(tmp_path):
    """One reader of clinic.yml: an origin with a path used to pass the action server's check."""
    from project import settings

    with pytest.raises(
        ClinicError, match=r"^clinic\.yml: web_origins\[0\]: 'https://clinic\.example/chat' is not"
    ):
        load_edited(tmp_path, lambda c: c.update(web_origins=["https://clinic.example/chat"]))
    with pytest.raises(
        ClinicError, match=r"^clinic\.yml: web_origins\[0\]: 'https://clinic\.example/chat' is not"
    ):
        settings.web_origins(tmp_path / CLINIC_FILE)
    assert tuple(settings.web_origins()) == load().web_origins
