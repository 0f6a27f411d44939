"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fleetline.domain.values import LARGEST_LOAD
from fleetline.store import tables
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


def test_amounts_stored_beyond_the_bound_read_again_after_the_upgrade(
    empty_database_url: str,
) -> None:
    """A truck stored with 10**30 pallets before loads were bounded made every plan fail
    and no longer reads under the bound: the upgrade lowers it to the largest amount
    allowed and leaves every other amount as it was."""
    upgrade(empty_database_url, "0008_event_log_without_lock")
    engine = sa.create_engine(empty_database_url)
    vehicle = {
        "id": "veh_huge",
        "name": "Huge",
        "depot_id": "dep_1",
        "capacity": {"pallets": 10**30, "weight_kg": 8000},
        "skills": [],
        "shift_start": time(7),
        "shift_end": time(16),
        "cost_per_km": 0.6,
        "cost_per_hour": 32.0,
        "cost_overtime_per_hour": 48.0,
        "cost_fixed": 0.0,
        "max_overtime_s": 0,
        "active": True,
    }
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(tables.depots).values(
                    id="dep_1", name="Schaan", lat=47.17, lon=9.5, timezone="Europe/Vaduz"
                )
            )
            connection.execute(sa.insert(tables.vehicles).values(vehicle))
            connection.execute(
                sa.insert(tables.vehicles).values(
                    {**vehicle, "id": "veh_fine", "capacity": {"pallets": 18}}
                )
            )
        upgrade(empty_database_url)
        with engine.connect() as connection:
            rows = connection.execute(sa.select(tables.vehicles.c.id, tables.vehicles.c.capacity))
            capacities = {row.id: row.capacity for row in rows}
    finally:
        engine.dispose()
    assert capacities == {
        "veh_huge": {"pallets": LARGEST_LOAD, "weight_kg": 8000},
        "veh_fine": {"pallets": 18},
    }
