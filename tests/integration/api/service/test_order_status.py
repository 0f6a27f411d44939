"""The agent's answer to "where is my delivery?": one order's status from the live picture."""

from __future__ import annotations

from datetime import datetime, timedelta

from fleetline.clock import FixedClock
from fleetline.domain.access import Role

from ...api_client import DAY, Api, Company, order_body, window
from .conftest import MORNING, Day, at, report


def status_of(api: Api, order_id: str, role: Role = Role.AGENT) -> dict:
    response = api.get(f"/api/v1/orders/{order_id}/status", role=role)
    assert response.status_code == 200, response.text
    return response.json()


def kinds(status: dict) -> list[str]:
    return [entry["kind"] for entry in status["history"]]


def test_a_planned_order_says_it_is_not_on_a_live_plan(api: Api, company: Company) -> None:
    """Planned but not dispatched: no truck, no ETA, and the summary says why; its
    history shows when it was received."""
    order = api.post("/api/v1/orders", order_body(company.client_ids[0], reference="P-1")).json()
    plan = api.wait_for_plan(api.post("/api/v1/plans", {"date": DAY}).json()["id"])
    assert plan["status"] == "ready"
    status = status_of(api, order["id"])
    assert status["state"] in ("open", "planned")
    assert status["on_live_plan"] is False
    assert status["eta"] is None and status["vehicle_id"] is None and status["risk"] is None
    assert "not dispatched" in status["summary"]
    assert kinds(status)[0] == "created"
    assert status["client"]["name"] == "Client 1" and status["client"]["priority"] == 1


def test_an_order_on_its_truck_shows_the_live_eta_as_a_window(day: Day) -> None:
    """A dispatched order: its truck, the point ETA inside the window told to the client,
    the promised window, on time with no delay reason, and how many stops come first."""
    order_id = day.stop_of(0, 1)
    status = status_of(day.api, order_id)
    assert status["state"] == "dispatched" and status["on_live_plan"] is True
    assert status["vehicle_id"] == day.vehicle_of(order_id)
    assert status["stops_before"] == 1
    eta = datetime.fromisoformat(status["eta"])
    start = datetime.fromisoformat(status["eta_window"]["start"])
    end = datetime.fromisoformat(status["eta_window"]["end"])
    assert start <= eta <= end and end - start >= timedelta(minutes=20)
    assert status["promised_window"] is not None
    assert status["vehicle_position"]["lat"] is not None
    assert status["updated_at"] is not None
    if status["risk"] == "on_time":
        assert status["delay_reason"] is None
    assert "dispatched" in kinds(status)


def test_a_late_order_gives_the_delay_in_minutes(day: Day) -> None:
    """Two hours past the morning with no stop served, every remaining stop is late and the
    agent reads how far behind the truck runs."""
    clock = day.api.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(MORNING + timedelta(hours=2))
    day.api.services.live.refresh()
    status = status_of(day.api, day.stop_of(1, 0))
    assert status["risk"] == "late"
    assert status["delay_reason"] is not None
    assert "min behind" in status["delay_reason"] or "tighter" in status["delay_reason"]
    assert datetime.fromisoformat(status["eta"]) > datetime.fromisoformat(
        status["promised_window"]["end"]
    )


def test_a_broken_down_truck_is_the_reason_in_words(day: Day) -> None:
    """After a breakdown, the agent reads 'the truck broke down' for each of its orders."""
    order_id = day.stop_of(0, 0)
    vehicle = day.vehicle_of(order_id)
    broken = day.api.post(
        f"/api/v1/vehicles/{vehicle}/events", {"type": "breakdown", "at": at("08:25")}
    )
    assert broken.status_code == 200, broken.text
    day.api.services.live.refresh()
    status = status_of(day.api, order_id)
    assert status["delay_reason"] is not None
    assert status["delay_reason"].startswith("the truck broke down")
    assert status["risk"] != "on_time"


def test_a_completed_order_gives_its_delivery_time_not_an_eta(day: Day) -> None:
    """Delivered: the actual time, no ETA, the truck that delivered, and the history ends
    with the arrival and the completion."""
    order_id = day.stop_of(0, 0)
    report(day, order_id, "arrived", "08:10")
    report(day, order_id, "completed", "08:20", proof="signed by R. Meier")
    status = status_of(day.api, order_id)
    assert status["state"] == "completed"
    assert status["eta"] is None and status["eta_window"] is None
    assert datetime.fromisoformat(status["actual_at"]) == datetime.fromisoformat(at("08:20"))
    assert status["vehicle_id"] == day.vehicle_of(order_id)
    assert status["summary"].startswith("Delivered at 08:20")
    assert kinds(status)[-2:] == ["arrived", "completed"]


def test_a_failed_order_gives_the_reason(day: Day) -> None:
    """Failed at the door: the reason, in the answer and in the summary."""
    order_id = day.stop_of(1, 0)
    report(day, order_id, "failed", "08:25", reason="client_absent")
    status = status_of(day.api, order_id)
    assert status["state"] == "failed"
    assert status["failure_reason"] == "client_absent"
    assert "client absent" in status["summary"]
    assert status["eta"] is None


def test_a_dispatcher_and_an_integration_see_the_status_but_a_driver_does_not(
    day: Day,
) -> None:
    """The status is for staff: a driver's token gets 403, an unknown order 404."""
    order_id = day.stop_of(0, 0)
    status_of(day.api, order_id, Role.DISPATCHER)
    status_of(day.api, order_id, Role.INTEGRATION)
    path = f"/api/v1/orders/{order_id}/status"
    assert day.api.get(path, role=Role.DRIVER).status_code == 403
    missing = day.api.get("/api/v1/orders/ord_missing/status", role=Role.AGENT)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_window_change_and_a_replan_appear_in_the_history(day: Day) -> None:
    """A client's new window shows in the order's history as a window change."""
    order_id = day.stop_of(0, 2)
    changed = day.api.patch(
        f"/api/v1/orders/{order_id}", {"time_windows": [window("08:00", "11:00")]}
    )
    assert changed.status_code == 200, changed.text
    assert "window_changed" in kinds(status_of(day.api, order_id))
