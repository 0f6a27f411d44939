"""The company's time zone as the use cases read and change it, on in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from fleetline.bus import Context
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.company import CompanyZone, ZoneSource
from fleetline.domain.errors import Conflict, InvalidField
from fleetline.domain.events import CompanyTimezoneChanged, Event
from fleetline.domain.model import Depot, Location
from fleetline.operations.company import (
    company_today,
    company_zone,
    company_zone_setting,
    set_company_timezone,
)
from fleetline.operations.master_data import create_depot, update_depot

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
"""18:00 in Vaduz, already 06:00 of the next day in Auckland."""
HERE = Location(47.17, 9.5)


class _Depots:
    def __init__(self) -> None:
        self.rows: dict[str, Depot] = {}

    def add(self, depot: Depot) -> None:
        self.rows[depot.id] = depot

    def get(self, depot_id: str) -> Depot | None:
        return self.rows.get(depot_id)

    def list(self) -> list[Depot]:
        return sorted(self.rows.values(), key=lambda d: (d.name, d.id))

    def update(self, depot: Depot) -> None:
        self.rows[depot.id] = depot


class _Company:
    def __init__(self) -> None:
        self.stored: CompanyZone | None = None

    def zone(self) -> CompanyZone | None:
        return self.stored

    def set_zone(self, zone: CompanyZone) -> None:
        self.stored = zone

    def set_zone_if_unset(self, zone: CompanyZone) -> bool:
        if self.stored is not None:
            return False
        self.stored = zone
        return True


@dataclass
class _Route:
    vehicle_id: str
    stops: tuple[object, ...]


@dataclass
class _Plan:
    routes: tuple[_Route, ...]


class _Plans:
    def __init__(self) -> None:
        self.live: dict[date, _Plan] = {}

    def live_days(self, since: date) -> list[date]:
        return sorted(day for day in self.live if day >= since)

    def live_for(self, day: date) -> _Plan | None:
        return self.live.get(day)


class _Vehicles:
    def list(self, depot_id: str | None = None, active_only: bool = False) -> list[Any]:
        return []


@dataclass
class _Uow:
    depots: _Depots = field(default_factory=_Depots)
    company: _Company = field(default_factory=_Company)
    plans: _Plans = field(default_factory=_Plans)
    vehicles: _Vehicles = field(default_factory=_Vehicles)
    recorded: list[Event] = field(default_factory=list)

    def record(self, event: Event) -> None:
        self.recorded.append(event)


def _context() -> Context:
    count = iter(range(1, 100))
    return Context(clock=FixedClock(NOW), ids=lambda prefix: f"{prefix}_{next(count)}")


def _depot(uow: _Uow, context: Context, name: str, zone: str) -> Depot:
    command = commands.CreateDepot(name=name, location=HERE, timezone=zone)
    return create_depot(command, uow, context)  # type: ignore[arg-type]


def _zone_changes(uow: _Uow) -> list[CompanyTimezoneChanged]:
    return [e for e in uow.recorded if isinstance(e, CompanyTimezoneChanged)]


def test_without_a_depot_the_company_counts_its_day_in_utc() -> None:
    """Nothing stored, no depot: UTC, said to be so."""
    uow = _Uow()
    assert company_zone_setting(uow) == CompanyZone("UTC", ZoneSource.NO_DEPOT)  # type: ignore[arg-type]
    assert company_today(uow, NOW) == date(2026, 11, 25)  # type: ignore[arg-type]


def test_the_first_depot_sets_the_zone_and_a_depot_named_aaa_does_not_move_it() -> None:
    """Schaan first, then "Aaa" in Auckland (first by name): today stays Vaduz's."""
    uow, context = _Uow(), _context()
    schaan = _depot(uow, context, "Schaan", "Europe/Vaduz")
    _depot(uow, context, "Aaa", "Pacific/Auckland")
    setting = company_zone_setting(uow)  # type: ignore[arg-type]
    assert (setting.timezone, setting.source, setting.depot_id) == (
        "Europe/Vaduz",
        ZoneSource.FIRST_DEPOT,
        schaan.id,
    )
    assert company_today(uow, NOW) == date(2026, 11, 25)  # type: ignore[arg-type]
    assert [e.timezone for e in _zone_changes(uow)] == ["Europe/Vaduz"]


def test_renaming_or_rezoning_a_depot_leaves_the_company_zone() -> None:
    """Only an admin's setting changes the company's zone, not a depot's edit."""
    uow, context = _Uow(), _context()
    schaan = _depot(uow, context, "Schaan", "Europe/Vaduz")
    change = commands.UpdateDepot(depot_id=schaan.id, name="Zz", timezone="Pacific/Auckland")
    update_depot(change, uow, context)  # type: ignore[arg-type]
    assert str(company_zone(uow)) == "Europe/Vaduz"  # type: ignore[arg-type]


def test_an_unknown_zone_is_refused_on_timezone_and_nothing_is_stored() -> None:
    """``Mars/Olympus`` is an InvalidField naming ``timezone``; the stored zone stays."""
    uow, context = _Uow(), _context()
    _depot(uow, context, "Schaan", "Europe/Vaduz")
    before = uow.company.stored
    with pytest.raises(InvalidField) as refused:
        set_company_timezone(
            commands.SetCompanyTimezone(timezone="Mars/Olympus"),
            uow,  # type: ignore[arg-type]
            context,
        )
    assert refused.value.field == "timezone"
    assert uow.company.stored is before
    assert len(_zone_changes(uow)) == 1


def test_setting_the_zone_in_force_changes_nothing() -> None:
    """No new source, no event: the zone came from the first depot and stays so."""
    uow, context = _Uow(), _context()
    _depot(uow, context, "Schaan", "Europe/Vaduz")
    command = commands.SetCompanyTimezone(timezone="Europe/Vaduz", by="Eva")
    kept = set_company_timezone(command, uow, context)  # type: ignore[arg-type]
    assert kept.source is ZoneSource.FIRST_DEPOT
    assert len(_zone_changes(uow)) == 1


def test_an_admin_s_zone_is_stored_with_who_and_when() -> None:
    """The new zone moves today to Auckland's date and is logged with the zone before."""
    uow, context = _Uow(), _context()
    _depot(uow, context, "Schaan", "Europe/Vaduz")
    command = commands.SetCompanyTimezone(timezone="Pacific/Auckland", by="Eva")
    stored = set_company_timezone(command, uow, context)  # type: ignore[arg-type]
    assert stored == CompanyZone(
        "Pacific/Auckland", ZoneSource.ADMIN, changed_at=NOW, changed_by="Eva"
    )
    assert company_today(uow, NOW) == date(2026, 11, 26)  # type: ignore[arg-type]
    last = _zone_changes(uow)[-1]
    assert (last.timezone, last.previous, last.by) == ("Pacific/Auckland", "Europe/Vaduz", "Eva")


def test_a_day_dispatched_today_or_later_blocks_a_new_zone() -> None:
    """A live plan with stops tomorrow refuses the change on ``timezone``; one of
    yesterday, or one whose routes are empty, does not."""
    uow, context = _Uow(), _context()
    _depot(uow, context, "Schaan", "Europe/Vaduz")
    uow.plans.live[date(2026, 11, 24)] = _Plan((_Route("v1", ("stop",)),))
    uow.plans.live[date(2026, 11, 25)] = _Plan((_Route("v1", ()),))
    uow.plans.live[date(2026, 11, 26)] = _Plan((_Route("v1", ("stop",)),))
    command = commands.SetCompanyTimezone(timezone="Pacific/Auckland")
    with pytest.raises(Conflict) as refused:
        set_company_timezone(command, uow, context)  # type: ignore[arg-type]
    assert refused.value.field == "timezone"
    assert "2026-11-26" in str(refused.value)
    assert str(company_zone(uow)) == "Europe/Vaduz"  # type: ignore[arg-type]
    del uow.plans.live[date(2026, 11, 26)]
    set_company_timezone(command, uow, context)  # type: ignore[arg-type]
    assert str(company_zone(uow)) == "Pacific/Auckland"  # type: ignore[arg-type]
