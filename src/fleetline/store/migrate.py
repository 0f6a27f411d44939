"""Run the schema migrations programmatically (no ``alembic.ini`` needed).

The migration scripts ship inside the package (``fleetline/store/migrations``) and are
found through the package path, so an installed wheel migrates as well as a checkout.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""Where the Alembic environment and the revisions live."""
MIGRATION_LOCK_KEY = 0x466C_6565_746D_6967  # "Fleetmig"
"""The advisory lock every upgrade of a PostgreSQL database is made under."""


def alembic_config(url: str | URL) -> Config:
    """Return an Alembic configuration for the database at ``url``.

    The URL travels in ``config.attributes`` rather than in the ini options, so that
    passwords or query strings with ``%`` need no escaping.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = (
        url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    )
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (the latest by default).

    Parameters
    ----------
    url
        SQLAlchemy URL of the database; an empty database gets the whole schema.
    revision
        Alembic revision to reach.

    On PostgreSQL the processes of a split installation may start together: each
    upgrade waits for the others' under an advisory lock, and finds nothing left to do.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        if engine.dialect.name != "postgresql":
            command.upgrade(alembic_config(url), revision)
            return
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.select(sa.func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
            try:
                command.upgrade(alembic_config(url), revision)
            finally:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
    finally:
        engine.dispose()


def downgrade(url: str | URL, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` drops everything)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """Return the newest revision shipped with this version of Fleetline."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str | URL) -> str | None:
    """Return the revision the database at ``url`` is at (``None`` when unmigrated)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
