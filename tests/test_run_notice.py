"""`make run` says at start-up what clinic.yml still leaves to fill in."""

from __future__ import annotations

import pytest

from operations import run
from project.clinic import CLINIC_DIR, CLINIC_FILE, placeholders

FILLED = """
clinic:
  name: Harbour Street Counselling
  phone: "01632 960 412"
  email: hello@harbourstreet.example
  hours: Monday to Friday, 8am to 8pm
  website: https://harbourstreet.example
"""


def test_each_placeholder_is_named_with_what_replies_do_meanwhile(tmp_path):
    (tmp_path / CLINIC_FILE).write_text(
        FILLED.replace('"01632 960 412"', '"[FILL IN: clinic phone]"')
        + "complaints:\n  address: '[FILL IN: complaints address]'\n"
    )

    notice = run.placeholder_notice(tmp_path)

    assert "  - clinic.phone\n" in notice
    assert "  - complaints.address\n" in notice
    assert "clinic.name" not in notice
    assert "Replies leave these out until they are filled in" in notice


def test_a_filled_in_clinic_gets_no_notice(tmp_path):
    (tmp_path / CLINIC_FILE).write_text(FILLED)
    assert run.placeholder_notice(tmp_path) == ""


class Stop(Exception):
    pass


def test_make_run_prints_it_before_starting_anything(monkeypatch, capsys):
    def no_model():
        raise Stop

    monkeypatch.setattr(run, "newest_model", no_model)
    monkeypatch.setattr("sys.argv", ["run"])
    with pytest.raises(Stop):
        run.main()
    out = capsys.readouterr().out
    for path in placeholders(CLINIC_DIR):
        assert f"  - {path}\n" in out
    assert bool(placeholders(CLINIC_DIR)) == ("still has placeholders" in out)
