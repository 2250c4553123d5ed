"""Time limits on PostgreSQL connections, so that a dead database costs seconds.

Rasa 3.6's SQLTrackerStore sets none: libpq then waits for a connection as
long as the operating system does (minutes for an address that drops
packets, for ever for a server that accepts and never answers) and a
statement runs as long as it takes, all while the person waits for a reply.

- `connect_timeout` (libpq, whole seconds): goes into the database URL, so it
  also bounds the connections Rasa's constructor makes.
- `statement_timeout` (PostgreSQL, set per connection through libpq's
  `options`): PostgreSQL cancels a longer statement.

Set in the endpoints file's `tracker_store` entry (`connect_timeout`,
`statement_timeout`, in seconds) or by DB_CONNECT_TIMEOUT and
DB_STATEMENT_TIMEOUT, which win. docs/deploy.md lists them.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import create_engine_kwargs
from sqlalchemy.engine.url import URL

from project import settings

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 10.0
CONNECT_TIMEOUT_VARIABLE = "DB_CONNECT_TIMEOUT"
STATEMENT_TIMEOUT_VARIABLE = "DB_STATEMENT_TIMEOUT"


def is_postgresql(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def timeout_seconds(configured: Any, variable: str, default: float) -> float:
    """The environment's value, else the configured one, else the default."""
    value = settings.env(variable) or configured
    seconds = float(value) if value not in (None, "") else default
    if seconds <= 0:
        raise ValueError(f"{variable.lower()} must be a positive number of seconds, not {value}")
    return seconds


def with_connect_timeout(url: URL, configured: Any = None) -> URL:
    """The URL with libpq's `connect_timeout`, unless the URL sets its own."""
    if not is_postgresql(url) or "connect_timeout" in url.query:
        return url
    seconds = timeout_seconds(configured, CONNECT_TIMEOUT_VARIABLE, DEFAULT_CONNECT_TIMEOUT)
    return url.update_query_dict({"connect_timeout": str(max(1, math.ceil(seconds)))})


def create_engine(url: URL, configured_statement_timeout: Any = None) -> sa.engine.Engine:
    """An engine as Rasa 3.6 makes it (`create_engine_kwargs`: pool size,
    POSTGRESQL_SCHEMA) whose connections carry `statement_timeout`."""
    seconds = timeout_seconds(
        configured_statement_timeout, STATEMENT_TIMEOUT_VARIABLE, DEFAULT_STATEMENT_TIMEOUT
    )
    kwargs = create_engine_kwargs(url)
    connect_args = dict(kwargs.get("connect_args") or {})
    # Options given in the URL or by Rasa (search_path) come after ours, so
    # a statement_timeout set there wins; SQLAlchemy would let Rasa's
    # connect_args replace the URL's options, so both are kept here.
    options = [f"-c statement_timeout={math.ceil(seconds * 1000)}"]
    options += [str(o) for o in (url.query.get("options"), connect_args.get("options")) if o]
    connect_args["options"] = " ".join(options)
    kwargs["connect_args"] = connect_args
    return sa.create_engine(url, **kwargs)
