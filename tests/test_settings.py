"""Serving settings: CORS origins, message limit, API token, tracker database."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from project import settings

DB_VARIABLES = ("TRACKER_DB_URL", *settings.DB_PARTS.values())


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (*DB_VARIABLES, "MAX_MESSAGE_CHARS", "RASA_API_TOKEN", "RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)


def test_web_origins_default_to_the_local_web_page(tmp_path):
    assert settings.web_origins(tmp_path / "missing.yml") == [
        "http://localhost:8080",
        "http://127.0.0.1:8080",
    ]


def test_web_origins_come_from_the_clinic_file(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(
        "web_origins:\n  - https://clinic.example/\n  - https://staff.clinic.example\n"
    )
    assert settings.web_origins(clinic) == [
        "https://clinic.example",
        "https://staff.clinic.example",
    ]


def test_a_wildcard_origin_is_refused(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text("web_origins: ['*']\n")
    with pytest.raises(ValueError, match="any site"):
        settings.web_origins(clinic)


def test_the_project_clinic_file_gives_origins():
    origins = settings.web_origins()
    assert origins and all(o.startswith(("http://", "https://")) for o in origins)


def test_message_limit_from_credentials_or_environment(monkeypatch):
    assert settings.max_message_chars() == 1000
    assert settings.max_message_chars(500) == 500
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "200")
    assert settings.max_message_chars(500) == 200


def test_http_api_is_off_without_a_token(monkeypatch):
    assert settings.rasa_api_args() == []
    monkeypatch.setenv("RASA_API_TOKEN", "  ")
    assert settings.rasa_api_args() == []
    monkeypatch.setenv("RASA_API_TOKEN", "s3cret")
    assert settings.rasa_api_args() == ["--enable-api", "--auth-token", "s3cret"]


def test_default_store_is_a_sqlite_file_in_the_project():
    url = settings.tracker_db_url()
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == settings.PROJECT_ROOT / "var" / "tracker.db"


def test_relative_sqlite_paths_are_anchored_at_the_project_root():
    url = settings.tracker_db_url(dialect="sqlite", db="data.db")
    assert Path(url.database) == settings.PROJECT_ROOT / "data.db"
    assert settings.tracker_db_url(db="/srv/tracker.db").database == "/srv/tracker.db"


def test_tracker_db_url_wins_over_everything(monkeypatch):
    monkeypatch.setenv("TRACKER_DB_URL", "postgresql://rasa:pw@db.internal:5433/conversations")
    monkeypatch.setenv("DB_HOST", "ignored")
    url = settings.tracker_db_url(dialect="sqlite", db="x.db")
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql",
        "db.internal",
        5433,
        "conversations",
    )


def test_db_variables_override_the_endpoints_entries(monkeypatch):
    for name, value in {
        "DB_DIALECT": "postgresql",
        "DB_HOST": "10.0.0.5",
        "DB_PORT": "5432",
        "DB_NAME": "rasa",
        "DB_USER": "rasa",
        "DB_PASSWORD": "p@ss:word",
    }.items():
        monkeypatch.setenv(name, value)
    url = settings.tracker_db_url(dialect="sqlite", db="var/tracker.db")
    assert (url.drivername, url.host, url.port, url.database, url.password) == (
        "postgresql",
        "10.0.0.5",
        5432,
        "rasa",
        "p@ss:word",
    )
    assert "p@ss" not in settings.describe_url(url)


def test_the_project_endpoints_use_the_resilient_store():
    section = settings.endpoints_tracker_store()
    assert section["type"] == "rasa_extensions.tracker_store.ResilientSQLTrackerStore"
    assert settings.store_url_from_endpoints().get_backend_name() == "sqlite"


def test_retention_refuses_a_store_that_is_not_sql(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n")
    with pytest.raises(ValueError, match="not an SQL store"):
        settings.store_url_from_endpoints(endpoints)


@pytest.mark.parametrize(
    "origin",
    [
        "https://*.clinic.example",
        "https://clinic.example/chat",
        "https://clinic.example?",
        "https://clinic\\.example",
        "http://[::1]:8080",
        "https://clinic.example:99999",
        "ftp://clinic.example",
        "clinic.example",
        "https://Clinic.example",
        "https://clinic.example.*",
        "https://(clinic|evil).example",
    ],
)
def test_web_origins_that_are_not_exact_origins_stop_the_start(tmp_path, origin):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({"web_origins": ["http://localhost:8080", origin]}))
    with pytest.raises(ValueError, match="scheme://host\\[:port\\]"):
        settings.web_origins(clinic)


def test_exact_origins_with_ports_are_kept(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text("web_origins: ['https://chat.clinic-1.example:8443', 'http://10.0.0.5']\n")
    assert settings.web_origins(clinic) == ["https://chat.clinic-1.example:8443", "http://10.0.0.5"]
