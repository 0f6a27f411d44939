"""Triggers under an ``auto`` policy: a breakdown's or a failed delivery's best option,
a late truck's and a road closure's re-plan apply themselves, with nobody asked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fleetline.clock import FixedClock
from fleetline.domain import events

from .conftest import Day, at, report
from .test_replanning import _live_plan, _logged, _open, _set, _settle


def _exceptions(day: Day) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = day.api.get("/api/v1/exceptions").json()
    return found


def test_an_auto_breakdown_applies_its_best_option(day: Day) -> None:
    """Breakdowns set to auto: the truck's exception is resolved by the policy with the
    first-ranked option, the live plan becomes version 2 without the broken truck's
    remaining stops, and the response time is recorded."""
    _set(day, "breakdown", mode="auto")
    broken = sorted(day.routes)[0]
    remaining = day.routes[broken]
    reported = day.api.post(
        f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at("08:25")}
    )
    assert reported.status_code == 200, reported.text
    _settle(day)
    [exception] = [e for e in _exceptions(day) if e["kind"] == "breakdown"]
    assert exception["status"] == "resolved", exception
    assert exception["resolved_by"] == "policy"
    best = min(exception["options"], key=lambda o: o["rank"])
    assert exception["chosen_option_id"] == best["id"]
    plan = _live_plan(day)
    assert plan["version"] == 2 and plan["id"] == exception["plan_id"]
    routes = {r["vehicle_id"]: [s["order_id"] for s in r["stops"]] for r in plan["routes"]}
    assert not set(remaining) & set(routes.get(broken, []))
    [resolved] = _logged(day, events.ExceptionResolved)
    assert resolved.by == "policy" and resolved.seconds_after_event >= 0


def test_an_auto_failed_delivery_applies_its_best_option(day: Day) -> None:
    """Failed deliveries set to auto: the exception of a client who was absent is resolved
    by the policy and the live plan moves to version 2."""
    _set(day, "failed_delivery", mode="auto")
    order_id = day.stop_of(0, 0)
    report(day, order_id, "arrived", "08:20")
    failed = report(day, order_id, "failed", "08:25", reason="client_absent")
    assert failed.status_code == 200, failed.text
    _settle(day)
    [exception] = [e for e in _exceptions(day) if e["kind"] == "failed_delivery"]
    assert exception["status"] == "resolved", exception
    assert exception["resolved_by"] == "policy"
    assert _live_plan(day)["version"] == 2


def test_an_auto_late_truck_never_drops_orders_by_itself(day: Day) -> None:
    """Late trucks set to auto, two hours without news: the re-plans that would fix the
    lateness only by leaving planned orders out are not applied by the policy; each truck
    gets one exception for a dispatcher and the plan stays at version 1."""
    _set(day, "vehicle_late", mode="auto", threshold_s=600)
    services = day.api.services
    assert services.replanner is not None
    services.live.after_refresh.append(services.replanner.on_live_refresh)
    clock = services.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(hours=2))
    services.live.refresh()
    _settle(day)
    decided = [d for d in _logged(day, events.ReplanDecided) if d.trigger == "vehicle_late"]
    assert sorted(d.cause for d in decided) == sorted(day.routes)
    assert all(d.mode == "auto" and d.late_before > 0 for d in decided)
    assert {d.outcome for d in decided} == {"approval"}
    late = _open(day, "vehicle_late")
    assert sorted(e["vehicle_id"] for e in late) == sorted(day.routes)
    assert _live_plan(day)["version"] == 1


def test_an_auto_road_closure_that_would_make_things_worse_asks(day: Day) -> None:
    """Closures set to auto: when the re-plan around a closed stop would make more orders
    late than the plan in force, the policy does not apply it but asks, listing the stop."""
    _set(day, "road_closure", mode="auto")
    order_id = day.stop_of(1, 0)
    place = day.api.get(f"/api/v1/orders/{order_id}").json()["location"]
    reported = day.api.post(
        "/api/v1/traffic/incidents",
        {"kind": "closure", "area": {"center": place, "radius_m": 300}, "starts_at": at("08:00")},
    )
    assert reported.status_code == 201, reported.text
    incident_id = reported.json()["id"]
    _settle(day)
    [decided] = [d for d in _logged(day, events.ReplanDecided) if d.trigger == "road_closure"]
    assert decided.cause == incident_id and decided.mode == "auto"
    assert decided.late_after > decided.late_before
    assert decided.outcome == "approval"
    [exception] = _open(day, "road_closure")
    assert exception["id"] == decided.exception_id
    assert order_id in [a["order_id"] for a in exception["affected_orders"]]
    assert _live_plan(day)["version"] == 1
