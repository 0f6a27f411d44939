"""The live day through the API: stops and vehicles as state machines, traffic, the picture."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from fleetline.domain.access import Role
from fleetline.domain.model import Location
from fleetline.operations.access import issue_token

from ..api_client import DAY
from .conftest import MORNING, Day, at, report


def test_a_stop_moves_through_its_day(day: Day) -> None:
    """Arrived then completed: the order shows completed; sending the same report again is
    answered as a duplicate and changes nothing."""
    stop = day.stop_of(0)
    arrived = report(day, stop, "arrived", "08:10")
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["state"] == "arrived" and arrived.json()["applied"] is True
    done = report(day, stop, "completed", "08:20")
    assert done.json()["state"] == "completed"
    again = report(day, stop, "completed", "08:20")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["applied"] is False
    assert day.api.get(f"/api/v1/orders/{stop}").json()["state"] == "completed"


def test_an_illegal_transition_is_a_conflict(day: Day) -> None:
    """A completed stop cannot then fail: 409 naming the report's type, and the stop stays
    completed."""
    stop = day.stop_of(0)
    report(day, stop, "completed", "08:20")
    failed = report(day, stop, "failed", "08:25", reason="client_absent")
    assert failed.status_code == 409
    assert failed.json()["error"]["details"][0]["field"] == "type"
    assert day.api.get(f"/api/v1/orders/{stop}").json()["state"] == "completed"


def test_a_late_arrival_report_is_kept_without_moving_the_stop_back(day: Day) -> None:
    """A phone that was offline sends 'arrived' after 'completed': it is accepted, not
    applied, and the stop stays completed."""
    stop = day.stop_of(0)
    report(day, stop, "completed", "08:20")
    late = report(day, stop, "arrived", "08:10")
    assert late.status_code == 200
    assert late.json()["applied"] is False
    assert late.json()["state"] == "completed"


@pytest.mark.parametrize(
    ("extra", "field", "status"),
    [
        ({"type": "failed"}, "reason", 422),
        ({"type": "completed", "reason": "refused"}, "reason", 422),
        ({"type": "completed", "at": f"{DAY}T23:00:00+01:00"}, "at", 422),
        ({"type": "completed", "at": f"{DAY}T09:00:00"}, "at", 422),
        ({"type": "teleported"}, "type", 422),
    ],
)
def test_a_bad_stop_report_names_the_field(
    day: Day, extra: dict[str, Any], field: str, status: int
) -> None:
    """A failure without a reason, a reason on a success, a time in the future or without
    an offset, an unknown type: refused, naming the field, and the stop is unchanged."""
    stop = day.stop_of(0)
    body = {"at": at("08:20"), **extra}
    response = day.api.post(f"/api/v1/stops/{stop}/events", body)
    assert response.status_code == status
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert day.api.get(f"/api/v1/orders/{stop}").json()["state"] == "dispatched"


def test_a_report_for_a_stop_on_another_truck_is_refused(day: Day) -> None:
    """Naming the wrong truck for a stop is a conflict; an unknown stop is a 404."""
    stop = day.stop_of(0)
    other = sorted(day.routes)[1]
    wrong = report(day, stop, "arrived", "08:10", vehicle_id=other)
    assert wrong.status_code == 409
    assert wrong.json()["error"]["details"][0]["field"] == "vehicle_id"
    assert report(day, "ord_nowhere", "arrived", "08:10").status_code == 404


def test_a_driver_acts_only_for_their_own_truck(day: Day) -> None:
    """A driver token reports its own stops and its own truck, never another's."""
    api = day.api
    mine, other = sorted(day.routes)
    driver = api.post("/api/v1/drivers", {"name": "Lea Beck", "vehicle_id": mine}).json()
    with api.services.uow_factory() as uow:
        secret, _ = issue_token(uow, api.services.bus.context, Role.DRIVER, "lea", driver["id"])
        uow.commit()
    api.tokens[Role.DRIVER] = secret
    own_stop = day.routes[mine][0]
    other_stop = day.routes[other][0]
    ok = api.post(
        f"/api/v1/stops/{own_stop}/events", {"type": "arrived", "at": at("08:10")}, role=Role.DRIVER
    )
    assert ok.status_code == 200
    refused = api.post(
        f"/api/v1/stops/{other_stop}/events",
        {"type": "arrived", "at": at("08:10")},
        role=Role.DRIVER,
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["details"][0]["field"] == "stop_id"
    breakdown = {"type": "breakdown", "at": at("08:15")}
    assert (
        api.post(f"/api/v1/vehicles/{other}/events", breakdown, role=Role.DRIVER).status_code == 403
    )
    assert api.get(f"/api/v1/orders/{other_stop}").json()["state"] == "dispatched"


def test_a_vehicle_breaks_down_and_resumes(day: Day) -> None:
    """Breakdown, then resumed; a broken-down truck cannot be 'delayed' (409); the same
    report twice is harmless."""
    vehicle = sorted(day.routes)[0]
    path = f"/api/v1/vehicles/{vehicle}/events"
    broken = day.api.post(path, {"type": "breakdown", "at": at("08:15"), "note": "gearbox"})
    assert broken.status_code == 200
    assert broken.json()["status"] == "broken_down"
    assert day.api.post(path, {"type": "breakdown", "at": at("08:15")}).status_code == 200
    delayed = day.api.post(path, {"type": "delayed", "at": at("08:16")})
    assert delayed.status_code == 409
    resumed = day.api.post(path, {"type": "resumed", "at": at("08:29")})
    assert resumed.json()["status"] == "on_duty"
    assert (
        day.api.post(
            "/api/v1/vehicles/veh_none/events", {"type": "breakdown", "at": at("08:15")}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"kind": "slowdown", "area": {"center": {"lat": 47.14, "lon": 9.52}, "radius_m": 500}},
            "factor",
        ),
        (
            {
                "kind": "closure",
                "factor": 2,
                "area": {"center": {"lat": 47.14, "lon": 9.52}, "radius_m": 500},
            },
            "factor",
        ),
        (
            {
                "kind": "closure",
                "area": {"polygon": [{"lat": 47.1, "lon": 9.5}, {"lat": 47.2, "lon": 9.5}]},
            },
            "area.polygon",
        ),
        ({"kind": "closure", "area": {"center": {"lat": 47.14, "lon": 9.52}}}, "area"),
        (
            {
                "kind": "closure",
                "area": {"center": {"lat": 47.14, "lon": 9.52}, "radius_m": 500},
                "ends_at": at("07:00"),
            },
            "ends_at",
        ),
    ],
)
def test_a_bad_traffic_incident_names_the_field(day: Day, body: dict[str, Any], field: str) -> None:
    """A slowdown without a factor, a closure with one, a two-corner polygon, a circle
    without a radius, an incident that ends before it starts."""
    response = day.api.post("/api/v1/traffic/incidents", {"starts_at": at("08:00"), **body})
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_the_live_picture_follows_the_day(day: Day) -> None:
    """Every vehicle with its remaining stops, each with an ETA and a risk; a completed
    stop leaves the list, and a broken-down truck shows as such."""
    api = day.api
    first = day.stop_of(0)
    vehicle = day.vehicle_of(first)
    live = api.get("/api/v1/live", date=DAY).json()
    views = {v["vehicle_id"]: v for v in live["vehicles"]}
    assert set(day.routes) <= set(views)
    remaining = views[vehicle]["remaining"]
    assert [s["order_id"] for s in remaining] == day.routes[vehicle]
    assert all(s["risk"] in ("on_time", "at_risk", "late") for s in remaining)
    etas = [datetime.fromisoformat(s["eta"]) for s in remaining]
    assert etas == sorted(etas) and etas[0] >= MORNING
    report(day, first, "completed", "08:20")
    api.post(f"/api/v1/vehicles/{vehicle}/events", {"type": "breakdown", "at": at("08:25")})
    api.services.live.refresh()
    views = {v["vehicle_id"]: v for v in api.get("/api/v1/live", date=DAY).json()["vehicles"]}
    assert first not in [s["order_id"] for s in views[vehicle]["remaining"]]
    assert views[vehicle]["stops_completed"] == 1
    assert views[vehicle]["status"] == "broken_down"
    assert views[vehicle]["remaining"]
    assert {s["no_eta"] for s in views[vehicle]["remaining"]} == {"broken_down"}


def test_a_traffic_slowdown_shows_in_the_etas(day: Day) -> None:
    """A slowdown reported over the area a truck is heading into makes its next arrival
    later at the next refresh; a slowdown elsewhere changes nothing."""
    api = day.api
    vehicle = sorted(day.routes)[0]
    before = {
        s["order_id"]: s
        for v in api.get("/api/v1/live", date=DAY).json()["vehicles"]
        for s in v.get("remaining", [])
    }
    first = day.routes[vehicle][0]
    order = api.get(f"/api/v1/orders/{first}").json()
    far_away = {
        "kind": "slowdown",
        "factor": 4,
        "starts_at": at("08:00"),
        "area": {"center": {"lat": 46.5, "lon": 8.5}, "radius_m": 1000},
    }
    assert api.post("/api/v1/traffic/incidents", far_away).status_code == 201
    unchanged = {
        s["order_id"]: s
        for v in api.get("/api/v1/live", date=DAY).json()["vehicles"]
        for s in v.get("remaining", [])
    }
    assert unchanged[first]["eta"] == before[first]["eta"]
    around_stop = {
        "kind": "slowdown",
        "factor": 4,
        "starts_at": at("08:00"),
        "ends_at": at("12:00"),
        "area": {"center": order["location"], "radius_m": 3000},
    }
    assert api.post("/api/v1/traffic/incidents", around_stop).status_code == 201
    after = {
        s["order_id"]: s
        for v in api.get("/api/v1/live", date=DAY).json()["vehicles"]
        for s in v.get("remaining", [])
    }
    assert datetime.fromisoformat(after[first]["eta"]) > datetime.fromisoformat(
        before[first]["eta"]
    )


def test_the_live_stream_sends_the_picture_then_its_changes(day: Day) -> None:
    """A console subscribes: it first gets the whole picture, then, after a stop is
    completed, one batch naming that stop as done and its truck as changed."""
    api = day.api
    stop = day.stop_of(0)
    vehicle = day.vehicle_of(stop)
    api.services.live.refresh()
    with api.client.stream(
        "GET", "/api/v1/live/stream", headers=api.headers(Role.DISPATCHER)
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        events: list[tuple[str, dict[str, Any]]] = []
        kind = ""
        for line in lines:
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))))
                if kind == "snapshot":
                    report(day, stop, "completed", "08:20")
                    api.services.live.refresh()
                else:
                    break
    (first_kind, snapshot), (second_kind, change) = events
    assert first_kind == "snapshot"
    assert {v["vehicle_id"] for v in snapshot["vehicles"]} >= set(day.routes)
    assert second_kind == "live"
    assert stop in change["stops_done"]
    assert vehicle in [v["vehicle_id"] for v in change["vehicles"]]


def test_a_slow_driver_gets_a_slower_pace(day: Day) -> None:
    """A driver who takes three times the predicted time between two stops gets a pace
    above 1 in the live picture, which stretches the rest of that truck's day."""
    api = day.api
    vehicle = sorted(day.routes)[0]
    first, second = day.routes[vehicle][:2]
    locations = [api.get(f"/api/v1/orders/{o}").json()["location"] for o in (first, second)]
    points = [Location(p["lat"], p["lon"]) for p in locations]
    predicted_s = int(api.services.travel_times.matrix(points).durations[0, 1])
    left = MORNING - timedelta(seconds=3 * predicted_s + 60)
    report(day, first, "completed", left.strftime("%H:%M"))
    reached = left + timedelta(seconds=3 * predicted_s)
    report(day, second, "arrived", reached.strftime("%H:%M"))
    views = {v["vehicle_id"]: v for v in api.get("/api/v1/live", date=DAY).json()["vehicles"]}
    assert views[vehicle]["pace"] > 1.1
    assert views[sorted(day.routes)[1]]["pace"] == 1.0
