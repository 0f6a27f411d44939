"""Manual edits of the live plan through the API: the impact first, then a new version,
and edits breaking a hard constraint refused with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ..api_client import DAY, Api, Company, order_body, window
from .conftest import Day, report


def _live_plan(api: Api) -> dict[str, Any]:
    [live] = [p for p in api.get("/api/v1/plans", date=DAY).json() if p["live"]]
    plan: dict[str, Any] = api.get(f"/api/v1/plans/{live['id']}").json()
    return plan


def _moves(order_id: str, vehicle_id: str, position: int) -> dict[str, Any]:
    return {"moves": [{"order_id": order_id, "vehicle_id": vehicle_id, "position": position}]}


def _problem(response: Any) -> dict[str, Any]:
    detail: dict[str, Any] = response.json()["error"]["details"][0]
    return detail


def test_a_preview_shows_both_routes_timed_again_and_changes_nothing(day: Day) -> None:
    """Moving a stop to the other truck's end: the preview lists both trucks' stops with
    ETAs before and after, the stop marked as arriving; the live plan stays as it was."""
    first, second = sorted(day.routes)
    moved = day.routes[first][1]
    response = day.api.post(
        f"/api/v1/plans/{day.plan['id']}/edits/preview",
        _moves(moved, second, len(day.routes[second]) + 1),
    )
    assert response.status_code == 200
    preview = response.json()
    assert preview["allowed"] is True
    routes = {r["vehicle_id"]: r for r in preview["routes"]}
    assert set(routes) == {first, second}
    received = [s["order_id"] for s in routes[second]["stops"]]
    assert received == [*day.routes[second], moved]
    [arriving] = [s for s in routes[second]["stops"] if s["moved_here"]]
    assert arriving["order_id"] == moved and arriving["eta_after"] is not None
    assert moved not in [s["order_id"] for s in routes[first]["stops"]]
    assert preview["late_after"] >= preview["late_before"]
    assert _live_plan(day.api)["id"] == day.plan["id"]


def test_applying_an_edit_makes_a_new_live_version_with_the_stop_on_the_new_truck(
    day: Day,
) -> None:
    """Apply: version 2 is live, revised, with the stop on the other truck at the asked
    position; its diff names the move; the old plan id is then refused as stale."""
    first, second = sorted(day.routes)
    moved = day.routes[first][2]
    response = day.api.post(f"/api/v1/plans/{day.plan['id']}/edits", _moves(moved, second, 1))
    assert response.status_code == 201, response.text
    applied = response.json()
    assert applied["version"] == day.plan["version"] + 1
    live = _live_plan(day.api)
    assert live["id"] == applied["id"] and live["source"] == "revised"
    routes = {r["vehicle_id"]: [s["order_id"] for s in r["stops"]] for r in live["routes"]}
    assert routes[second][0] == moved and moved not in routes[first]
    diff = day.api.get(f"/api/v1/plans/{applied['id']}/diff").json()
    moves = [(m["order_id"], m["from_vehicle_id"], m["to_vehicle_id"]) for m in diff["moved"]]
    assert moves == [(moved, first, second)]
    assert diff["moved"][0]["reference"].startswith("L-")
    again = day.api.post(f"/api/v1/plans/{day.plan['id']}/edits", _moves(moved, first, 1))
    assert again.status_code == 409 and _problem(again)["field"] == "plan_id"


def test_a_stop_being_served_cannot_be_moved(day: Day) -> None:
    """A stop the driver has arrived at is refused, naming the move's order."""
    first, second = sorted(day.routes)
    served = day.routes[first][0]
    assert report(day, served, "arrived", "08:25").status_code in (200, 201)
    response = day.api.post(f"/api/v1/plans/{day.plan['id']}/edits", _moves(served, second, 1))
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["field"] == "moves[0].order_id" and "being served" in problem["message"]
    assert _live_plan(day.api)["id"] == day.plan["id"]


def test_a_position_off_the_route_is_refused_with_the_range(day: Day) -> None:
    """Position 99 on a four-stop truck: refused, naming the positions it may take."""
    first, second = sorted(day.routes)
    response = day.api.post(
        f"/api/v1/plans/{day.plan['id']}/edits", _moves(day.routes[first][1], second, 99)
    )
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["field"] == "moves[0].position" and "between 1 and" in problem["message"]


def test_a_move_that_makes_a_stop_late_is_shown_in_words_and_may_still_apply(day: Day) -> None:
    """Putting an early stop last on the other truck makes it late: the preview says by
    how much and when its window closes; the dispatcher may still apply it."""
    first, second = sorted(day.routes)
    moved = day.routes[first][1]
    body = _moves(moved, second, len(day.routes[second]) + 1)
    preview = day.api.post(f"/api/v1/plans/{day.plan['id']}/edits/preview", body).json()
    late = [v for v in preview["violations"] if "after its window closes" in v["message"]]
    assert late and not any(v["hard"] for v in late)
    [arriving] = [s for r in preview["routes"] for s in r["stops"] if s["moved_here"]]
    assert arriving["risk_after"] == "late" and arriving["risk_before"] != "late"
    assert day.api.post(f"/api/v1/plans/{day.plan['id']}/edits", body).status_code == 201


@dataclass
class HeavyDay:
    plan_id: str
    truck_of: dict[str, tuple[str, str]]
    """Order reference to (vehicle id, order id)."""


@pytest.fixture
def heavy_day(api: Api, company: Company) -> HeavyDay:
    """Two trucks each with a ten-pallet order (both cannot fit on one), and a stop that
    needs Truck 1's tail lift."""
    big = {"weight_kg": 900, "pallets": 10}
    bodies = [
        order_body(company.client_ids[0], demand=big, reference="BIG-1"),
        order_body(company.client_ids[1], demand=big, reference="BIG-2"),
        order_body(company.client_ids[2], required_skills=["tail_lift"], reference="LIFT"),
        order_body(company.client_ids[2], reference="SMALL"),
    ]
    for n, body in enumerate(bodies):
        body["location"] = {"lat": 47.10 + 0.01 * n, "lon": 9.51}
        body["time_windows"] = [window("08:00", "15:00")]
    api.post("/api/v1/orders", bodies)
    plan = api.wait_for_plan(
        api.post("/api/v1/plans", {"date": DAY, "time_limit_s": 1}).json()["id"]
    )
    assert api.post(f"/api/v1/plans/{plan['id']}/dispatch", None).status_code == 200
    references = {
        o["id"]: o["reference"] for o in api.get("/api/v1/orders", date=DAY).json()["orders"]
    }
    return HeavyDay(
        plan["id"],
        {
            references[s["order_id"]]: (r["vehicle_id"], s["order_id"])
            for r in plan["routes"]
            for s in r["stops"]
        },
    )


def test_capacity_and_skills_are_hard_limits(api: Api, heavy_day: HeavyDay) -> None:
    """A second ten-pallet order on a truck of eighteen pallets, or the tail-lift stop on
    a truck without one: both refused, the message naming the limit."""
    lift_truck, lift = heavy_day.truck_of["LIFT"]
    big_truck, big = next(
        heavy_day.truck_of[r] for r in ("BIG-1", "BIG-2") if heavy_day.truck_of[r][0] != lift_truck
    )
    edits = f"/api/v1/plans/{heavy_day.plan_id}/edits"
    too_full = api.post(edits, _moves(big, lift_truck, 1))
    assert too_full.status_code == 422
    assert "over its capacity of 18" in _problem(too_full)["message"]
    no_lift = api.post(f"{edits}/preview", _moves(lift, big_truck, 1)).json()
    assert no_lift["allowed"] is False
    assert any("needs tail lift" in v["message"] for v in no_lift["violations"])
