"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fleetline.store.migrate import current_revision, downgrade, head_revision, upgrade
from fleetline.store.tables import metadata

pytestmark = pytest.mark.both_databases  # each dialect migrates on its own


def test_migrated_schema_matches_the_tables(empty_database_url: str) -> None:
    """After ``upgrade``, Alembic finds no difference from ``tables.metadata``."""
    upgrade(empty_database_url)
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
    assert current_revision(empty_database_url) == head_revision()


def test_upgrade_is_idempotent_and_downgrade_drops_everything(empty_database_url: str) -> None:
    """Running the migrations twice is harmless; going to base leaves no table behind."""
    upgrade(empty_database_url)
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    engine = sa.create_engine(empty_database_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert names <= {"alembic_version"}
