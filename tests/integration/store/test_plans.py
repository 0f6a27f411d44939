"""Plans: exact round trips, versions unique per day, the live plan switch."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.model import (
    Plan,
    PlannedStop,
    PlanSource,
    PlanStatus,
    ReasonCode,
    Route,
    TimeWindow,
    Unassigned,
)
from fleetline.store.unit_of_work import SqlUnitOfWork

from .store_builders import DAY, seed_master_data

pytestmark = pytest.mark.both_databases  # the live plan is switched under a row lock

CEST = timezone(timedelta(hours=2))
T0 = datetime(2025, 3, 14, 8, 0, tzinfo=CEST)


def plan(plan_id: str, version: int, **changes: object) -> Plan:
    stop = PlannedStop(
        "s1",
        "o1",
        1,
        T0 + timedelta(minutes=20),
        T0 + timedelta(minutes=25),
        T0 + timedelta(minutes=30, microseconds=7),
        (
            TimeWindow(T0, T0 + timedelta(hours=2)),
            TimeWindow(T0 + timedelta(hours=3), T0 + timedelta(hours=4)),
        ),
        {"pallets": 0},
    )
    route = Route(
        "v1", (stop,), T0, T0 + timedelta(hours=1), 12_345, 3600, {"pallets": 1}, 60, 42.5
    )
    base = Plan(
        plan_id,
        DAY,
        version,
        PlanStatus.READY,
        PlanSource.OPTIMIZED,
        datetime(2025, 3, 13, 18, 0, 0, 1, tzinfo=UTC),
        routes=(route,),
        unassigned=(Unassigned("o2", ReasonCode.FLEET_FULL, "no room left"),),
        time_limit_s=2.5,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_plan_round_trips_exactly(uow: SqlUnitOfWork) -> None:
    """Routes, stops, windows, reasons and times come back equal."""
    seed_master_data(uow)
    first = plan("p1", 1)
    with uow:
        uow.plans.add(first)
        uow.commit()
    with uow:
        assert uow.plans.get("p1") == first
        assert uow.plans.get("p2") is None
    child = plan("p2", 2, parent_id="p1", status=PlanStatus.FAILED, error="timeout", routes=())
    with uow:
        uow.plans.add(child)
        uow.commit()
    with uow:
        assert uow.plans.list_by_date(DAY) == [first, child]


def test_versions_are_unique_per_day(uow: SqlUnitOfWork) -> None:
    """``next_version`` counts per day; the same version twice is a conflict on ``version``."""
    seed_master_data(uow)
    with uow:
        assert uow.plans.next_version(DAY) == 1
        uow.plans.add(plan("p1", 1))
        assert uow.plans.next_version(DAY) == 2
        uow.plans.add(plan("p2", 2))
        uow.plans.add(plan("q1", 1, date=DAY + timedelta(days=1)))
        uow.commit()
    with uow:
        assert uow.plans.next_version(DAY) == 3
        assert uow.plans.next_version(DAY + timedelta(days=1)) == 2
        with pytest.raises(Conflict) as caught:
            uow.plans.add(plan("p3", 2))
        assert caught.value.field == "version"


def test_update_replaces_the_plan(uow: SqlUnitOfWork) -> None:
    """An update changes status and dispatch time; a missing plan is NotFound."""
    seed_master_data(uow)
    with uow:
        uow.plans.add(plan("p1", 1, status=PlanStatus.SOLVING, routes=()))
        uow.commit()
    ready = plan("p1", 1, dispatched_at=datetime(2025, 3, 14, 5, 0, tzinfo=CEST))
    with uow:
        uow.plans.update(ready)
        uow.commit()
    with uow:
        assert uow.plans.get("p1") == ready
        with pytest.raises(NotFound):
            uow.plans.update(plan("ghost", 9))


def test_live_plan_switch(uow: SqlUnitOfWork) -> None:
    """The live plan of a day moves from one version to the next; days are independent."""
    seed_master_data(uow)
    with uow:
        uow.plans.add(plan("p1", 1))
        uow.plans.add(plan("p2", 2))
        uow.commit()
    with uow:
        assert uow.plans.live_for(DAY) is None
        uow.plans.set_live(DAY, "p1")
        uow.commit()
    with uow:
        assert uow.plans.live_for(DAY) == plan("p1", 1)
        assert uow.plans.live_id(DAY) == "p1"
        uow.plans.set_live(DAY, "p2")
        uow.commit()
    with uow:
        live = uow.plans.live_for(DAY)
        assert live is not None
        assert live.id == "p2"
        assert uow.plans.live_for(DAY + timedelta(days=1)) is None
        with pytest.raises(NotFound):
            uow.plans.set_live(DAY, "ghost")
    with uow:
        assert uow.plans.live_id(DAY) == "p2"


def test_the_live_plans_revision_moves_with_every_store(uow: SqlUnitOfWork) -> None:
    """The live plan's id and revision are read without the plan; an update of the plan
    moves its revision, and making another version live changes the id."""
    seed_master_data(uow)
    with uow:
        uow.plans.add(plan("p1", 1))
        uow.plans.add(plan("p2", 2))
        uow.commit()
    with uow:
        assert uow.plans.live_revision(DAY) is None
        uow.plans.set_live(DAY, "p1")
        uow.commit()
    with uow:
        assert uow.plans.live_revision(DAY) == ("p1", 1)
        uow.plans.update(plan("p1", 1, dispatched_at=datetime(2025, 3, 14, 5, 0, tzinfo=CEST)))
        uow.commit()
    with uow:
        assert uow.plans.live_revision(DAY) == ("p1", 2)
        revised = uow.plans.get_revised("p1")
        assert revised is not None and revised[1] == 2
        assert revised[0].dispatched_at == datetime(2025, 3, 14, 5, 0, tzinfo=CEST)
        uow.plans.set_live(DAY, "p2")
        uow.commit()
    with uow:
        assert uow.plans.live_revision(DAY) == ("p2", 1)
        assert uow.plans.get_revised("ghost") is None


def test_a_stops_truck_follows_the_live_plan_as_it_is_stored(uow: SqlUnitOfWork) -> None:
    """A stop report finds its truck in the live plan: after the plan is stored again with
    the stop on another truck, or another version goes live, the answer follows."""
    seed_master_data(uow)
    first = plan("p1", 1)
    with uow:
        uow.plans.add(first)
        uow.plans.add(plan("p2", 2, routes=()))
        uow.plans.set_live(DAY, "p1")
        uow.commit()
    with uow:
        assert uow.plans.live_vehicle_of(DAY, "o1") == "v1"
        assert uow.plans.live_vehicle_of(DAY, "o9") is None
        assert uow.plans.live_vehicle_of(DAY + timedelta(days=1), "o1") is None
    moved = dataclasses.replace(first.routes[0], vehicle_id="v2")
    with uow:
        uow.plans.update(dataclasses.replace(first, routes=(moved,)))
        uow.commit()
    with uow:
        assert uow.plans.live_vehicle_of(DAY, "o1") == "v2"
        uow.plans.set_live(DAY, "p2")
        uow.commit()
    with uow:
        assert uow.plans.live_vehicle_of(DAY, "o1") is None
