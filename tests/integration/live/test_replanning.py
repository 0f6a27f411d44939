"""The re-optimization policy: window changes, urgent orders, late trucks and closures
re-plan their neighbourhood, by themselves (auto) or through an exception (approve)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from fleetline.clock import FixedClock
from fleetline.domain import events
from fleetline.domain.access import Role

from ..api_client import DAY, Company, order_body, window
from .conftest import Day, at


def _settle(day: Day) -> None:
    replanner = day.api.services.replanner
    assert replanner is not None
    replanner.wait()


def _live_plan(day: Day) -> dict[str, Any]:
    plans = day.api.get("/api/v1/plans", date=DAY).json()
    [live] = [p for p in plans if p["live"]]
    plan: dict[str, Any] = day.api.get(f"/api/v1/plans/{live['id']}").json()
    return plan


def _open(day: Day, kind: str) -> list[dict[str, Any]]:
    found = day.api.get("/api/v1/exceptions", status="open").json()
    return [e for e in found if e["kind"] == kind]


def _stop(plan: dict[str, Any], order_id: str) -> dict[str, Any]:
    return next(s for r in plan["routes"] for s in r["stops"] if s["order_id"] == order_id)


def _logged(day: Day, kind: type[events.Event]) -> list[Any]:
    with day.api.services.uow_factory() as uow:
        return [e.event for e in uow.events.list(limit=10_000) if isinstance(e.event, kind)]


def _set(day: Day, trigger: str, **body: Any) -> None:
    response = day.api.client.put(
        f"/api/v1/replan-policies/{trigger}", json=body, headers=day.api.headers(Role.DISPATCHER)
    )
    assert response.status_code == 200, response.text


def test_a_new_window_in_auto_mode_makes_a_new_plan_version(day: Day) -> None:
    """A client moves their window to 10:30-11:30: without anyone approving, the live plan
    becomes version 2 (revised, trigger window_change) and serves the order in its new
    window; the decision is in the event log."""
    order_id = day.stop_of(0, 0)
    changed = day.api.patch(
        f"/api/v1/orders/{order_id}", {"time_windows": [window("10:30", "11:30")]}
    )
    assert changed.status_code == 200, changed.text
    _settle(day)
    plan = _live_plan(day)
    assert plan["version"] == 2 and plan["source"] == "revised"
    start = datetime.fromisoformat(_stop(plan, order_id)["service_start"])
    assert datetime.fromisoformat(at("10:30")) <= start <= datetime.fromisoformat(at("11:30"))
    [revised] = _logged(day, events.PlanRevised)
    assert revised.trigger == "window_change" and revised.version == 2
    [decided] = _logged(day, events.ReplanDecided)
    assert decided.outcome == "applied" and decided.plan_id == plan["id"]
    assert decided.cause == order_id
    assert not _open(day, "window_unmet")


def test_a_new_window_in_approve_mode_waits_for_a_dispatcher(day: Day) -> None:
    """With window changes set to approve, the re-plan waits in a window_unmet exception
    with one option saying what it moves; the plan stays at version 1 until the dispatcher
    applies it, which makes version 2."""
    _set(day, "window_change", mode="approve")
    order_id = day.stop_of(0, 0)
    day.api.patch(f"/api/v1/orders/{order_id}", {"time_windows": [window("10:30", "11:30")]})
    _settle(day)
    assert _live_plan(day)["version"] == 1
    [exception] = _open(day, "window_unmet")
    assert exception["order_id"] == order_id
    assert [a["order_id"] for a in exception["affected_orders"]] == [order_id]
    reference = day.api.get(f"/api/v1/orders/{order_id}").json()["reference"]
    assert exception["summary"].startswith(f"Order {reference} on ")  # as the client calls it
    [option] = exception["options"]
    assert option["summary"] and "late" in option["summary"]
    assert option["impact"]["late_orders"] >= 0
    resolved = day.api.post(
        f"/api/v1/exceptions/{exception['id']}/resolve", {"option_id": option["id"]}
    )
    assert resolved.status_code == 200, resolved.text
    plan = _live_plan(day)
    assert plan["version"] == 2 and plan["id"] == resolved.json()["plan_id"]
    assert _stop(plan, order_id)


def test_an_urgent_order_for_today_is_placed_on_a_truck(day: Day, company: Company) -> None:
    """An order for today arrives after dispatch: it is put on a truck of a new live plan
    version by itself, and the order shows as dispatched."""
    created = day.api.post(
        "/api/v1/orders",
        order_body(
            company.client_ids[0],
            location={"lat": 47.12, "lon": 9.51},
            time_windows=[window("09:30", "13:00")],
            reference="URGENT-1",
        ),
    )
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    _settle(day)
    plan = _live_plan(day)
    assert plan["version"] == 2
    assert _stop(plan, order_id)
    assert day.api.get(f"/api/v1/orders/{order_id}").json()["state"] == "dispatched"
    [revised] = _logged(day, events.PlanRevised)
    assert revised.trigger == "urgent_order" and order_id in revised.moved_orders


def test_a_late_truck_opens_one_exception_until_it_recovers(day: Day) -> None:
    """The clock runs two hours on without any news from the trucks: each truck gets one
    vehicle_late exception, and refreshing the picture again does not open another."""
    services = day.api.services
    assert services.replanner is not None
    services.live.after_refresh.append(services.replanner.on_live_refresh)
    clock = services.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(hours=2))
    services.live.refresh()
    _settle(day)
    late = _open(day, "vehicle_late")
    assert sorted(e["vehicle_id"] for e in late) == sorted(day.routes)
    assert all("late" in e["summary"] and e["affected_orders"] for e in late)
    for _ in range(2):
        clock.advance(timedelta(minutes=5))
        services.live.refresh()
        _settle(day)
    assert sorted(e["id"] for e in _open(day, "vehicle_late")) == sorted(e["id"] for e in late)
    assert _live_plan(day)["version"] == 1


def test_a_road_closure_over_a_stop_asks_the_dispatcher(day: Day) -> None:
    """A closure around a remaining stop opens a road_closure exception listing it, with the
    re-plan as its option; the plan stays as it is until someone decides."""
    order_id = day.stop_of(1, 0)
    place = day.api.get(f"/api/v1/orders/{order_id}").json()["location"]
    reported = day.api.post(
        "/api/v1/traffic/incidents",
        {"kind": "closure", "area": {"center": place, "radius_m": 300}, "starts_at": at("08:00")},
    )
    assert reported.status_code == 201, reported.text
    _settle(day)
    [exception] = _open(day, "road_closure")
    assert order_id in [a["order_id"] for a in exception["affected_orders"]]
    assert "closure" in exception["summary"].lower()
    assert len(exception["options"]) <= 1
    assert _live_plan(day)["version"] == 1


def test_policies_round_trip_through_the_api(day: Day) -> None:
    """Every trigger shows its policy (defaults first); a dispatcher sets one and reads it
    back; the threshold of late trucks is kept when only the mode changes."""
    api = day.api
    listed = {p["trigger"]: p for p in api.get("/api/v1/replan-policies").json()}
    assert listed["window_change"] == {
        "trigger": "window_change",
        "mode": "auto",
        "threshold_s": None,
        "default": True,
    }
    assert listed["vehicle_late"]["mode"] == "approve"
    assert listed["vehicle_late"]["threshold_s"] == 1200
    assert {listed[t]["mode"] for t in ("breakdown", "failed_delivery", "road_closure")} == {
        "approve"
    }
    _set(day, "vehicle_late", mode="auto", threshold_s=900)
    _set(day, "urgent_order", mode="approve")
    _set(day, "vehicle_late", mode="approve")
    listed = {p["trigger"]: p for p in api.get("/api/v1/replan-policies", Role.AGENT).json()}
    assert listed["vehicle_late"] == {
        "trigger": "vehicle_late",
        "mode": "approve",
        "threshold_s": 900,
        "default": False,
    }
    assert listed["urgent_order"]["mode"] == "approve" and not listed["urgent_order"]["default"]
    [*_, changed] = _logged(day, events.ReplanPolicyChanged)
    assert changed.trigger == "vehicle_late" and changed.threshold_s == 900


@pytest.mark.parametrize(
    ("trigger", "body", "field"),
    [
        ("teleport", {"mode": "auto"}, "trigger"),
        ("window_change", {"mode": "sometimes"}, "mode"),
        ("window_change", {}, "mode"),
        ("vehicle_late", {"mode": "auto", "threshold_s": 5}, "threshold_s"),
        ("window_change", {"mode": "auto", "threshold_s": 600}, "threshold_s"),
        ("window_change", {"mode": "auto", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(
    day: Day, trigger: str, body: dict[str, Any], field: str
) -> None:
    """An unknown trigger or mode, a threshold out of range or on a trigger without one:
    422 naming the field, and the policy stays as it was."""
    response = day.api.client.put(
        f"/api/v1/replan-policies/{trigger}", json=body, headers=day.api.headers(Role.DISPATCHER)
    )
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    listed = day.api.get("/api/v1/replan-policies").json()
    assert all(p["default"] for p in listed)


def test_only_dispatchers_and_admins_set_policies(day: Day) -> None:
    """An agent or an integration may read the policies but not change them."""
    for role in (Role.AGENT, Role.INTEGRATION):
        response = day.api.client.put(
            "/api/v1/replan-policies/window_change",
            json={"mode": "approve"},
            headers=day.api.headers(role),
        )
        assert response.status_code == 403
    admin = day.api.client.put(
        "/api/v1/replan-policies/window_change",
        json={"mode": "approve"},
        headers=day.api.headers(Role.ADMIN),
    )
    assert admin.status_code == 200
