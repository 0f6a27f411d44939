"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production).

Nothing here runs at import time: :func:`make_engine` is called by the bootstrap code
and by tests.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_S = 30.0
"""How long a SQLite writer waits for another writer before giving up."""


def make_engine(
    url: str | URL,
    *,
    echo: bool = False,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    pool_timeout_s: float | None = None,
    **kwargs: Any,
) -> Engine:
    """Create an engine tuned for the database behind ``url``.

    Parameters
    ----------
    url
        A SQLAlchemy URL, e.g. ``sqlite:///fleetline.db`` or
        ``postgresql+psycopg://user@host:5432/fleetline``.
    echo
        Log every statement (debugging).
    pool_size, max_overflow, pool_timeout_s
        PostgreSQL's connection pool: connections kept, opened beyond them at peaks,
        and seconds to wait for one (SQLAlchemy's defaults when not given).
    **kwargs
        Passed on to :func:`sqlalchemy.create_engine`.

    Returns
    -------
    Engine
        For SQLite: write-ahead logging, foreign keys enforced, usable from several
        threads, with a busy timeout. For PostgreSQL: connections are checked before use.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        engine = sa.create_engine(parsed, echo=echo, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    for name, value in (
        ("pool_size", pool_size),
        ("max_overflow", max_overflow),
        ("pool_timeout", pool_timeout_s),
    ):
        if value is not None:
            kwargs.setdefault(name, value)
    return sa.create_engine(parsed, echo=echo, **kwargs)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine``.

    Sessions do not expire objects on commit (the store hands out immutable domain
    objects, never ORM instances) and never autoflush behind the unit of work's back.
    """
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def is_postgresql(database_url: str) -> bool:
    """Whether ``database_url`` names a PostgreSQL database."""
    return sa.engine.make_url(database_url).get_backend_name() == "postgresql"
