"""A dispatched day of two trucks and eight stops, at 08:30, for the live-day tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from fleetline.clock import FixedClock

from ..api_client import DAY, Api, Company, order_body, window

MORNING = datetime.fromisoformat(f"{DAY}T08:30:00+01:00")


@dataclass
class Day:
    api: Api
    plan: dict[str, Any]
    routes: dict[str, list[str]]

    def stop_of(self, vehicle_index: int, position: int = 0) -> str:
        vehicle = sorted(self.routes)[vehicle_index]
        return self.routes[vehicle][position]

    def vehicle_of(self, order_id: str) -> str:
        return next(v for v, stops in self.routes.items() if order_id in stops)


def at(clock_time: str) -> str:
    return f"{DAY}T{clock_time}:00+01:00"


@pytest.fixture
def day(api: Api, company: Company) -> Day:
    spots = [(47.06 + 0.02 * i, 9.50 + 0.01 * (i % 3)) for i in range(8)]
    api.post(
        "/api/v1/orders",
        [
            order_body(
                company.client_ids[i % 3],
                location={"lat": lat, "lon": lon},
                time_windows=[window("08:00", "09:30")],
                service_s=900,
                reference=f"L-{i}",
            )
            for i, (lat, lon) in enumerate(spots)
        ],
    )
    plan = api.wait_for_plan(
        api.post("/api/v1/plans", {"date": DAY, "time_limit_s": 1}).json()["id"]
    )
    assert plan["status"] == "ready"
    api.post(f"/api/v1/plans/{plan['id']}/dispatch", None)
    clock = api.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(MORNING)
    routes = {r["vehicle_id"]: [s["order_id"] for s in r["stops"]] for r in plan["routes"]}
    assert len(routes) == 2, "eight 15-minute stops within 90 minutes need both trucks"
    return Day(api, plan, routes)


def report(day: Day, order_id: str, kind: str, when: str, **extra: Any) -> Any:
    return day.api.post(f"/api/v1/stops/{order_id}/events", {"type": kind, "at": at(when), **extra})
