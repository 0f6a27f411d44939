"""The driver app's API: a driver reads and reports their own route, and only theirs."""

from __future__ import annotations

import pytest

from fleetline.domain.access import Role

from .conftest import DriverDay, at

ROUTE = "/api/v1/driver/route"


def test_a_driver_reads_their_own_stops_in_order(driver_day: DriverDay) -> None:
    """Their truck's stops in the plan's order, each with window, ETA window, address,
    client name and phone; not one stop of the other truck and no client email."""
    api = driver_day.day.api
    answer = api.get(ROUTE, role=Role.DRIVER)
    assert answer.status_code == 200, answer.text
    route = answer.json()
    assert route["vehicle"]["id"] == driver_day.mine
    assert route["driver"]["name"] == "Lea Beck"
    ids = [stop["stop_id"] for stop in route["stops"]]
    assert ids == driver_day.day.routes[driver_day.mine]
    assert not set(ids) & set(driver_day.day.routes[driver_day.other])
    assert [stop["sequence"] for stop in route["stops"]] == list(range(1, len(ids) + 1))
    first = route["stops"][0]
    assert first["window"]["start"] < first["window"]["end"]
    assert first["eta_window"]["start"] <= first["eta"] <= first["eta_window"]["end"]
    assert first["client"]["name"].startswith("Client ")
    assert set(first["client"]) == {"name", "phone"}
    assert "email" not in answer.text


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.AGENT, Role.ADMIN, Role.INTEGRATION])
def test_only_a_driver_has_a_route(driver_day: DriverDay, role: Role) -> None:
    """The route is the driver's own: other roles are refused (they have the live picture)."""
    assert driver_day.day.api.get(ROUTE, role=role).status_code == 403


def test_without_a_token_the_route_is_refused(driver_day: DriverDay) -> None:
    """No bearer token: 401 naming the Authorization header."""
    answer = driver_day.day.api.client.get(ROUTE)
    assert answer.status_code == 401
    assert answer.json()["error"]["details"][0]["field"] == "Authorization"


@pytest.mark.parametrize("stop", ["other_truck", "ord_nowhere"])
def test_a_driver_cannot_report_a_stop_off_their_route(driver_day: DriverDay, stop: str) -> None:
    """Another truck's stop or an unknown one: 403 naming stop_id, alike, so that a driver
    learns nothing of other routes; the other truck's stop stays dispatched."""
    api = driver_day.day.api
    other_stop = driver_day.day.routes[driver_day.other][0]
    stop_id = other_stop if stop == "other_truck" else stop
    refused = api.post(
        f"/api/v1/stops/{stop_id}/events",
        {"type": "completed", "at": at("08:20")},
        role=Role.DRIVER,
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["details"][0]["field"] == "stop_id"
    assert api.get(f"/api/v1/orders/{other_stop}").json()["state"] == "dispatched"


def test_a_replayed_action_is_applied_once(driver_day: DriverDay) -> None:
    """The offline queue sends a completion twice with one Idempotency-Key: the second
    answer is the first one replayed, and the stop holds one completion report."""
    api = driver_day.day.api
    stop = driver_day.day.routes[driver_day.mine][0]
    body = {"type": "completed", "at": at("08:20"), "note": "left at the back door"}
    path = f"/api/v1/stops/{stop}/events"
    first = api.client.post(path, json=body, headers=driver_day.headers("act-1"))
    again = api.client.post(path, json=body, headers=driver_day.headers("act-1"))
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    mine = api.get(ROUTE, role=Role.DRIVER).json()["stops"][0]
    assert mine["state"] == "completed"
    assert [(r["type"], r["note"]) for r in mine["reports"]] == [
        ("completed", "left at the back door")
    ]


def test_a_completion_keeps_its_proof(driver_day: DriverDay) -> None:
    """A signature sent as a data URL is stored with the report; the route says it has one."""
    api = driver_day.day.api
    stop = driver_day.day.routes[driver_day.mine][1]
    proof = "data:image/png;base64," + "iVBORw0KGgo" * 20
    done = api.post(
        f"/api/v1/stops/{stop}/events",
        {"type": "completed", "at": at("08:25"), "proof": proof},
        role=Role.DRIVER,
    )
    assert done.status_code == 200, done.text
    stops = {s["stop_id"]: s for s in api.get(ROUTE, role=Role.DRIVER).json()["stops"]}
    assert stops[stop]["reports"][0]["has_proof"] is True


def test_a_driver_reports_a_breakdown_of_their_own_truck_only(driver_day: DriverDay) -> None:
    """Their truck: broken down, and the route shows it; the other truck: 403."""
    api = driver_day.day.api
    breakdown = {"type": "breakdown", "at": at("08:15"), "note": "flat tyre"}
    own = api.post(f"/api/v1/vehicles/{driver_day.mine}/events", breakdown, role=Role.DRIVER)
    assert own.status_code == 200
    other = api.post(f"/api/v1/vehicles/{driver_day.other}/events", breakdown, role=Role.DRIVER)
    assert other.status_code == 403
    vehicle = api.get(ROUTE, role=Role.DRIVER).json()["vehicle"]
    assert (vehicle["status"], vehicle["note"]) == ("broken_down", "flat tyre")
