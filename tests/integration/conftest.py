"""Database fixtures shared by the integration tests: every test runs on SQLite and
on PostgreSQL, each time on a fresh, migrated database of its own.

PostgreSQL tests use ``FLEETLINE_TEST_POSTGRES_URL`` (default: the machine's server)
and a schema created for the test and dropped after it, so parallel runs and leftovers
never collide. They are marked ``postgres`` and skipped when the server is unreachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from fleetline.clock import Clock
from fleetline.store.database import make_engine, make_session_factory
from fleetline.store.migrate import upgrade
from fleetline.store.unit_of_work import SqlUnitOfWork

POSTGRES_URL = os.environ.get(
    "FLEETLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    """An engine on the PostgreSQL server's test database (skips when unreachable)."""
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database for this test: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fleetline.db'}"
        return
    server: Engine = request.getfixturevalue("postgres_server")
    schema = f"fleetline_test_{uuid.uuid4().hex[:16]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url`` after every migration has run."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(migrated_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the migrated database."""
    return make_session_factory(migrated_engine)


@pytest.fixture
def uow_factory(
    session_factory: sessionmaker[Session],
) -> Callable[..., SqlUnitOfWork]:
    """Make units of work on the migrated database: ``uow_factory(clock=None)``."""

    def make(clock: Clock | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory, clock)

    return make


from .api_client import api, company  # noqa: E402  (fixtures shared by the API tests)

__all__ = ["api", "company"]
