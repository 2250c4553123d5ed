"""Deployment settings: the few things a deployment configures.

Read in one place so that the run script, the servers and the tests agree.
Environment variables win over files, so one checkout serves every machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

import yaml
from sqlalchemy.engine.url import URL, make_url

from project import clinic
from project.paths import PROJECT_ROOT
from project.yaml_files import load_mapping

CLINIC_FILE = clinic.CLINIC_DIR / clinic.CLINIC_FILE
ENDPOINTS_FILE = PROJECT_ROOT / "endpoints.yml"

DEFAULT_MAX_MESSAGE_CHARS = 1000
DEFAULT_SQLITE_FILE = "var/tracker.db"
DEFAULT_RETENTION_DAYS = 30

# Tracker store types whose database operations.retention can clean.
SQL_STORE_TYPES = ("rasa_extensions.tracker_store.ResilientSQLTrackerStore", "sql", "SQL")

# Environment variables that choose the tracker database (docs/deploy.md).
TRACKER_DB_URL = "TRACKER_DB_URL"
DB_PARTS = {
    "drivername": "DB_DIALECT",
    "host": "DB_HOST",
    "port": "DB_PORT",
    "database": "DB_NAME",
    "username": "DB_USER",
    "password": "DB_PASSWORD",
}
# Every variable that points the servers and tools at a tracker database.
STORE_VARIABLES = (TRACKER_DB_URL, *DB_PARTS.values())


def env(name: str) -> Optional[str]:
    """An environment variable; set but empty counts as unset."""
    value = os.environ.get(name, "").strip()
    return value or None


def web_origins(clinic_file: Path = CLINIC_FILE) -> List[str]:
    """Origins allowed to call the assistant from a browser (CORS): `web_origins` in
    clinic/clinic.yml, checked by project.clinic (a mistake stops the start); the
    local web page's without the file."""
    if not clinic_file.exists():
        return list(clinic.DEFAULT_WEB_ORIGINS)
    return list(
        clinic.web_origins_in(load_mapping(clinic_file, clinic.CLINIC_FILE, clinic.ClinicError))
    )


def max_message_chars(configured: Any = None) -> int:
    """Longest message the NLU reads; longer ones are asked to be shortened.

    MAX_MESSAGE_CHARS wins over the channel's `max_message_chars` in credentials.yml.
    """
    value = env("MAX_MESSAGE_CHARS") or configured or DEFAULT_MAX_MESSAGE_CHARS
    limit = int(value)
    if limit < 1:
        raise ValueError(f"max_message_chars must be positive, not {limit}")
    return limit


def api_token() -> Optional[str]:
    """The token that unlocks Rasa's HTTP API; without one the API stays off."""
    return env("RASA_API_TOKEN")


def rasa_api_args() -> List[str]:
    """`rasa run` arguments for the HTTP API: on with a token, otherwise off."""
    token = api_token()
    return ["--enable-api", "--auth-token", token] if token else []


def retention_days() -> int:
    return int(env("RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)


def tracker_db_url(
    dialect: Optional[str] = None,
    host: Optional[str] = None,
    port: Any = None,
    db: Optional[str] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    query: Optional[Mapping[str, Any]] = None,
) -> URL:
    """The tracker database: TRACKER_DB_URL, else DB_* variables over endpoints.yml.

    The arguments are the `tracker_store` entries of endpoints.yml. Without any,
    the store is the SQLite file var/tracker.db. A relative SQLite path is taken
    from the project root, so the store does not move with the working directory.
    """
    whole = env(TRACKER_DB_URL)
    if whole:
        url = make_url(whole)
    elif host and "://" in host:
        url = make_url(host)
    else:
        url = URL.create(
            drivername=dialect or "sqlite",
            username=username,
            password=password,
            host=host,
            port=int(port) if port else None,
            database=db
            if db
            else (DEFAULT_SQLITE_FILE if (dialect or "sqlite") == "sqlite" else None),
            query=dict(query or {}),
        )
    overrides: Dict[str, Union[str, int]] = {
        part: value for part, name in DB_PARTS.items() if (value := env(name))
    }
    if overrides and not whole:
        if "port" in overrides:
            overrides["port"] = int(overrides["port"])
        url = url.set(**overrides)
    return _anchor_sqlite(url)


def _anchor_sqlite(url: URL) -> URL:
    if url.get_backend_name() != "sqlite":
        return url
    database = url.database or DEFAULT_SQLITE_FILE
    if database == ":memory:" or database.startswith("file:") or os.path.isabs(database):
        return url
    return url.set(database=str(PROJECT_ROOT / database))


def endpoints_tracker_store(endpoints_file: Path = ENDPOINTS_FILE) -> dict:
    """The `tracker_store` section of an endpoints file."""
    endpoints = yaml.safe_load(Path(endpoints_file).read_text(encoding="utf-8")) or {}
    return dict(endpoints.get("tracker_store") or {})


def store_url_from_endpoints(endpoints_file: Path = ENDPOINTS_FILE) -> URL:
    """The tracker database the servers use with this endpoints file."""
    section = endpoints_tracker_store(endpoints_file)
    store_type = str(section.get("type") or "")
    if store_type not in SQL_STORE_TYPES:
        raise ValueError(
            f"{endpoints_file}: tracker_store type {store_type or '(none)'} is not an SQL store; "
            f"use {SQL_STORE_TYPES[0]}"
        )
    return tracker_db_url(
        dialect=section.get("dialect"),
        host=section.get("url"),
        port=section.get("port"),
        db=section.get("db"),
        username=section.get("username"),
        password=section.get("password"),
        query=section.get("query"),
    )


def describe_url(url: URL) -> str:
    """The database's address for logs and messages, never its password."""
    return url.render_as_string(hide_password=True)
