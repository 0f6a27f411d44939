"""The company's time zone as the use cases read and change it, on the memory store."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fleetline.domain import commands
from fleetline.domain.company import CompanyZone, ZoneSource
from fleetline.domain.errors import Conflict, InvalidField
from fleetline.domain.events import CompanyTimezoneChanged
from fleetline.operations.company import company_today, company_zone, company_zone_setting

from .memory_fleet import Fleet

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
"""18:00 in Vaduz, already 06:00 of the next day in Auckland."""


def _setting(fleet: Fleet) -> CompanyZone:
    with fleet.read() as uow:
        return company_zone_setting(uow)


def _today(fleet: Fleet) -> date:
    with fleet.read() as uow:
        return company_today(uow, NOW)


def _zone(fleet: Fleet) -> str:
    with fleet.read() as uow:
        return str(company_zone(uow))


def _zone_changes(fleet: Fleet) -> list[CompanyTimezoneChanged]:
    return [e for e in fleet.store.events() if isinstance(e, CompanyTimezoneChanged)]


def test_without_a_depot_the_company_counts_its_day_in_utc() -> None:
    """Nothing stored, no depot: UTC, said to be so."""
    fleet = Fleet(NOW)
    assert _setting(fleet) == CompanyZone("UTC", ZoneSource.NO_DEPOT)
    assert _today(fleet) == date(2026, 11, 25)


def test_the_first_depot_sets_the_zone_and_a_depot_named_aaa_does_not_move_it() -> None:
    """Schaan first, then "Aaa" in Auckland (first by name): today stays Vaduz's."""
    fleet = Fleet(NOW)
    schaan = fleet.depot("Schaan", "Europe/Vaduz")
    fleet.depot("Aaa", "Pacific/Auckland")
    setting = _setting(fleet)
    assert (setting.timezone, setting.source, setting.depot_id) == (
        "Europe/Vaduz",
        ZoneSource.FIRST_DEPOT,
        schaan.id,
    )
    assert _today(fleet) == date(2026, 11, 25)
    assert [e.timezone for e in _zone_changes(fleet)] == ["Europe/Vaduz"]


def test_renaming_or_rezoning_a_depot_leaves_the_company_zone() -> None:
    """Only an admin's setting changes the company's zone, not a depot's edit."""
    fleet = Fleet(NOW)
    schaan = fleet.depot("Schaan", "Europe/Vaduz")
    fleet.bus.handle(
        commands.UpdateDepot(depot_id=schaan.id, name="Zz", timezone="Pacific/Auckland")
    )
    assert _zone(fleet) == "Europe/Vaduz"


def test_an_unknown_zone_is_refused_on_timezone_and_nothing_is_stored() -> None:
    """``Mars/Olympus`` is an InvalidField naming ``timezone``; the stored zone stays."""
    fleet = Fleet(NOW)
    fleet.depot("Schaan", "Europe/Vaduz")
    before = _setting(fleet)
    refused = fleet.refused(commands.SetCompanyTimezone(timezone="Mars/Olympus"), InvalidField)
    assert refused.field == "timezone"
    assert _setting(fleet) == before
    assert len(_zone_changes(fleet)) == 1


def test_setting_the_zone_in_force_changes_nothing() -> None:
    """No new source, no event: the zone came from the first depot and stays so."""
    fleet = Fleet(NOW)
    fleet.depot("Schaan", "Europe/Vaduz")
    kept = fleet.bus.handle(commands.SetCompanyTimezone(timezone="Europe/Vaduz", by="Eva"))
    assert kept.source is ZoneSource.FIRST_DEPOT
    assert len(_zone_changes(fleet)) == 1


def test_an_admin_s_zone_is_stored_with_who_and_when() -> None:
    """The new zone moves today to Auckland's date and is logged with the zone before."""
    fleet = Fleet(NOW)
    fleet.depot("Schaan", "Europe/Vaduz")
    command = commands.SetCompanyTimezone(timezone="Pacific/Auckland", by="Eva")
    stored = fleet.bus.handle(command)
    assert stored == CompanyZone(
        "Pacific/Auckland", ZoneSource.ADMIN, changed_at=NOW, changed_by="Eva"
    )
    assert _setting(fleet) == stored
    assert _today(fleet) == date(2026, 11, 26)
    last = _zone_changes(fleet)[-1]
    assert (last.timezone, last.previous, last.by) == ("Pacific/Auckland", "Europe/Vaduz", "Eva")


def test_a_day_dispatched_today_or_later_blocks_a_new_zone() -> None:
    """A live plan with stops tomorrow refuses the change on ``timezone``; one of
    yesterday, or one whose routes are empty, does not."""
    fleet = Fleet(NOW)
    truck = fleet.vehicle(fleet.depot("Schaan", "Europe/Vaduz").id)
    fleet.dispatch({truck.id: ["ord_a"]}, day=date(2026, 11, 24))
    fleet.dispatch({truck.id: []}, day=date(2026, 11, 25))
    fleet.dispatch({truck.id: ["ord_b"]}, day=date(2026, 11, 26))
    command = commands.SetCompanyTimezone(timezone="Pacific/Auckland")
    refused = fleet.refused(command, Conflict)
    assert refused.field == "timezone"
    assert "2026-11-26" in str(refused)
    assert _zone(fleet) == "Europe/Vaduz"
    fleet.dispatch({truck.id: []}, day=date(2026, 11, 26))  # every stop of the 26th postponed
    fleet.bus.handle(command)
    assert _zone(fleet) == "Pacific/Auckland"
