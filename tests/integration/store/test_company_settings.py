"""The company's time zone is one stored row: written once by the first depot, replaced
by an admin, kept across restarts, and filled in at the upgrade from what was in force."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from fleetline.domain.company import CompanyZone, ZoneSource
from fleetline.store.migrate import upgrade
from fleetline.store.unit_of_work import SqlUnitOfWork

pytestmark = pytest.mark.both_databases  # upserts and migrations are SQL of each dialect

AT = datetime(2025, 3, 13, 17, 30, tzinfo=UTC)


def test_nothing_is_stored_on_a_fresh_database(uow: SqlUnitOfWork) -> None:
    """A new company has no zone stored (the use cases then read UTC)."""
    with uow:
        assert uow.company.zone() is None


def test_the_first_zone_stored_if_unset_stays(uow: SqlUnitOfWork) -> None:
    """Storing "if unset" a second time (a second depot) keeps the first zone."""
    first = CompanyZone("Europe/Vaduz", ZoneSource.FIRST_DEPOT, depot_id="d1", changed_at=AT)
    second = CompanyZone("Pacific/Auckland", ZoneSource.FIRST_DEPOT, depot_id="d2", changed_at=AT)
    with uow:
        assert uow.company.set_zone_if_unset(first) is True
        uow.commit()
    with uow:
        assert uow.company.set_zone_if_unset(second) is False
        uow.commit()
    with uow:
        assert uow.company.zone() == first


def test_an_admin_s_zone_replaces_the_stored_one_and_is_read_back_exactly(
    uow: SqlUnitOfWork,
) -> None:
    """Every field comes back equal, the moment aware in UTC, in a later transaction."""
    uow_zone = CompanyZone("Europe/Vaduz", ZoneSource.FIRST_DEPOT, depot_id="d1", changed_at=AT)
    admin = CompanyZone(
        "America/New_York", ZoneSource.ADMIN, changed_at=AT.replace(hour=18), changed_by="Eva"
    )
    with uow:
        uow.company.set_zone(uow_zone)
        uow.commit()
    with uow:
        uow.company.set_zone(admin)
        uow.commit()
    with uow:
        stored = uow.company.zone()
    assert stored == admin
    assert stored is not None and stored.changed_at is not None
    assert stored.changed_at.utcoffset() is not None


def test_a_change_not_committed_is_not_stored(uow: SqlUnitOfWork) -> None:
    """Leaving the unit of work without commit stores nothing."""
    with uow:
        uow.company.set_zone(CompanyZone("Asia/Tokyo", ZoneSource.ADMIN, changed_at=AT))
    with uow:
        assert uow.company.zone() is None


def test_the_upgrade_keeps_the_zone_an_existing_company_worked_in(empty_database_url: str) -> None:
    """A store at the previous revision with two depots gets the zone then in force (the
    depot whose name sorts first), so the upgrade moves no day; with no depot, none."""
    upgrade(empty_database_url, "0005_row_revisions")
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO depots (id, name, lat, lon, timezone) VALUES "
                    "('d1', 'Triesen', 47.1, 9.5, 'Pacific/Auckland'), "
                    "('d2', 'Schaan', 47.2, 9.5, 'Europe/Vaduz')"
                )
            )
        upgrade(empty_database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT id, timezone, timezone_source, timezone_depot_id FROM company_settings"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [(1, "Europe/Vaduz", "earlier_rule", "d2")]


def test_the_upgrade_of_a_company_without_depot_stores_nothing(empty_database_url: str) -> None:
    """No depot yet: the zone will come from the first depot created."""
    upgrade(empty_database_url)
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM company_settings")).scalar()
    finally:
        engine.dispose()
    assert count == 0
