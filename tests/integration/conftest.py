"""Database fixtures shared by the integration tests: each test on a fresh, migrated
database of its own.

Every test runs on SQLite, on a copy of one database migrated once per session. A test
whose behaviour can differ by database (SQL, locking, concurrency, time zones) is marked
``both_databases`` and runs on PostgreSQL too; ``--all-databases`` runs every test on
both; one that needs PostgreSQL itself (the split installation) is ``postgresql_only``.
PostgreSQL tests use ``FLEETLINE_TEST_POSTGRES_URL`` (default: the machine's server)
and a schema of their own: one migrated schema per test worker, emptied after each test
(or dropped and made again when a test left it locked), so parallel runs and leftovers
never collide. They are marked ``postgres`` and skipped when the server is unreachable.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from fleetline.clock import Clock
from fleetline.planning.worker_processes import stop_what_if_workers
from fleetline.store.database import make_engine, make_session_factory
from fleetline.store.migrate import upgrade
from fleetline.store.unit_of_work import SqlUnitOfWork

POSTGRES_URL = os.environ.get(
    "FLEETLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test that needs a database on SQLite, and on PostgreSQL where it matters."""
    wanted = [n for n in ("database_url", "empty_database_url") if n in metafunc.fixturenames]
    if not wanted:
        return
    both = metafunc.definition.get_closest_marker("both_databases") is not None
    only = metafunc.definition.get_closest_marker("postgresql_only") is not None
    every = metafunc.config.getoption("all_databases")
    kinds = [] if only else [pytest.param("sqlite", id="sqlite")]
    if both or every or only:
        kinds.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    for name in wanted:
        metafunc.parametrize(name, kinds, indirect=True)


@pytest.fixture(scope="session", autouse=True)
def what_if_workers_stop_at_the_end() -> Iterator[None]:
    """The what-if solvers' worker processes serve every test and stop once, at the end."""
    yield
    stop_what_if_workers()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per session, copied for each test."""
    template = tmp_path_factory.mktemp("template") / "fleetline.db"
    upgrade(f"sqlite:///{template}")
    return template


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


def postgres_schema(server: Engine) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server (its URL), dropped afterwards."""
    schema = _new_schema(server)
    try:
        yield _schema_url(schema)
    finally:
        _drop_schema(server, schema)


def _new_schema(server: Engine) -> str:
    schema = f"fleetline_test_{uuid.uuid4().hex[:16]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    return schema


def _drop_schema(server: Engine, schema: str) -> None:
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def _schema_url(schema: str) -> str:
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


class _MigratedSchema:
    """This worker's migrated PostgreSQL schema, emptied between tests."""

    def __init__(self, server: Engine) -> None:
        self._server = server
        self.url = self._make()

    def _make(self) -> str:
        self.schema = _new_schema(self._server)
        url = _schema_url(self.schema)
        upgrade(url)
        return url

    def empty(self) -> None:
        """Remove every row the test wrote and start every sequence again; drop and make
        the schema again when it cannot."""
        try:
            with self._server.connect() as connection:
                connection.execute(sa.text("SET lock_timeout = '5s'"))
                tables = connection.execute(
                    sa.text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                        "AND tablename <> 'alembic_version'"
                    ),
                    {"schema": self.schema},
                ).scalars()
                names = ", ".join(f'"{self.schema}"."{name}"' for name in tables)
                if names:
                    connection.execute(sa.text(f"TRUNCATE {names} CASCADE"))
                sequences = connection.execute(
                    sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                    {"schema": self.schema},
                ).scalars()
                for name in list(sequences):
                    connection.execute(sa.text(f'ALTER SEQUENCE "{self.schema}"."{name}" RESTART'))
        except sa.exc.OperationalError:
            self.drop()
            self.url = self._make()

    def drop(self) -> None:
        _drop_schema(self._server, self.schema)


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server: Engine) -> Iterator[_MigratedSchema]:
    """One migrated PostgreSQL schema for this test worker, dropped at its end."""
    schema = _MigratedSchema(postgres_server)
    yield schema
    schema.drop()


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database for this test (the migrations' own tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fleetline.db'}"
        return
    yield from postgres_schema(request.getfixturevalue("postgres_server"))


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of this test's migrated database: a copy of the session's migrated SQLite
    file, or the worker's migrated PostgreSQL schema, emptied after the test."""
    if request.param == "sqlite":
        database = tmp_path / "fleetline.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), database)
        yield f"sqlite:///{database}"
        return
    schema: _MigratedSchema = request.getfixturevalue("postgres_migrated")
    try:
        yield schema.url
    finally:
        schema.empty()


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's migrated database."""
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
