"""Faults: a restart loses nothing acknowledged; a failed solve leaves the plan in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.model import Location
from fleetline.network.base import Snap, TravelMatrix
from fleetline.operations.live_view import live_document

from ..api_client import DAY, bounded_settings
from .conftest import MORNING, Day, at, report

pytestmark = pytest.mark.both_databases  # a restart reads back what each database stored


def test_a_restart_rebuilds_the_same_live_picture(day: Day, database_url: str) -> None:
    """After a stop report, a breakdown and a position, a fresh server on the same database
    shows the same states, positions and remaining stops: nothing acknowledged is lost."""
    api = day.api
    stop = day.stop_of(0)
    vehicle = day.vehicle_of(stop)
    report(day, stop, "completed", "08:20")
    api.post(
        "/api/v1/telemetry/positions",
        {
            "positions": [
                {"vehicle_id": vehicle, "lat": 47.07, "lon": 9.50, "recorded_at": at("08:21")}
            ]
        },
    )
    api.post(
        f"/api/v1/vehicles/{sorted(day.routes)[1]}/events", {"type": "delayed", "at": at("08:22")}
    )
    before = api.get("/api/v1/live", date=DAY).json()
    again = bootstrap(
        bounded_settings(database_url),
        clock=FixedClock(MORNING),
        travel_times=api.services.travel_times,
        recover=False,
        live_refresh=False,
    )
    try:
        after = live_document(again.live.picture(datetime.fromisoformat(DAY).date()))
    finally:
        again.close()

    def essentials(doc: dict[str, object]) -> list[tuple[object, ...]]:
        return sorted(
            (
                v["vehicle_id"],
                v["status"],
                v["position"]["lat"],
                v["position"]["lon"],
                v["stops_completed"],
                tuple(s["order_id"] for s in v["remaining"]),
            )
            for v in doc["vehicles"]  # type: ignore[attr-defined]
        )

    assert essentials(after) == essentials(before)
    assert after["plan_id"] == before["plan_id"]


class BrokenRoads:
    """A road network that fails on every question."""

    name = "broken"

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        raise RuntimeError("the road network is unavailable")

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        raise RuntimeError("the road network is unavailable")


def test_a_failed_solve_leaves_the_live_plan_in_force(day: Day) -> None:
    """When a new plan cannot be computed, the version says failed and why, and the live
    plan of the day is still the one in force."""
    api = day.api
    api.services.planning._travel_times = BrokenRoads()  # the road network goes away
    requested = api.post("/api/v1/plans", {"date": DAY, "time_limit_s": 1}).json()
    failed = api.wait_for_plan(requested["id"])
    assert failed["status"] == "failed"
    assert "road network is unavailable" in failed["error"]
    assert failed["live"] is False
    assert api.get(f"/api/v1/plans/{day.plan['id']}").json()["live"] is True


def test_a_restart_keeps_the_pace_a_driver_showed_today(day: Day, database_url: str) -> None:
    """A driver who took far longer than predicted between two stops: a fresh server on
    the same database predicts that truck's remaining stops as late as before the restart."""
    api = day.api
    vehicle = sorted(day.routes)[0]
    first, second = day.routes[vehicle][:2]
    clock = api.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime.fromisoformat(at("09:46")))
    for order_id, kind, when in (
        (first, "arrived", "08:10"),
        (first, "completed", "08:15"),
        (second, "arrived", "09:45"),
    ):
        assert report(day, order_id, kind, when).status_code == 200
    before = api.get("/api/v1/live", date=DAY).json()
    again = bootstrap(
        bounded_settings(database_url),
        clock=FixedClock(datetime.fromisoformat(at("09:46"))),
        travel_times=api.services.travel_times,
        recover=False,
        live_refresh=False,
    )
    try:
        after = live_document(again.live.picture(datetime.fromisoformat(DAY).date()))
    finally:
        again.close()

    def etas(doc: dict[str, Any]) -> list[tuple[str, str]]:
        [run] = [v for v in doc["vehicles"] if v["vehicle_id"] == vehicle]
        return [(s["order_id"], s["eta"]) for s in run["remaining"] if s.get("eta")]

    assert len(etas(before)) >= 2
    assert etas(after) == etas(before)
