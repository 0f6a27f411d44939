"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fleetline.store.migrate import current_revision, downgrade, head_revision, upgrade
from fleetline.store.tables import metadata


def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    """After ``upgrade``, Alembic finds no difference from ``tables.metadata``."""
    upgrade(database_url)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
    assert current_revision(database_url) == head_revision()


def test_upgrade_is_idempotent_and_downgrade_drops_everything(database_url: str) -> None:
    """Running the migrations twice is harmless; going to base leaves no table behind."""
    upgrade(database_url)
    upgrade(database_url)
    downgrade(database_url, "base")
    engine = sa.create_engine(database_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert names <= {"alembic_version"}
