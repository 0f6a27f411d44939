"""The driver app in a real browser, phone-sized: the day's stops, the actions, offline."""

from __future__ import annotations

import time
from typing import Any

from tests.browser.conftest import DESKTOP, MORNING, PHONE, Served, live_status, screenshot

ROUTE = "/api/v1/driver/route"


def _route(served: Served) -> dict[str, Any]:
    with served.api("driver") as api:
        route: dict[str, Any] = api.get(ROUTE).json()
    return route


def _first_open_stop(served: Served) -> dict[str, Any]:
    """The driver's first stop still to do (each test acts on a stop of its own)."""
    return next(s for s in _route(served)["stops"] if s["state"] in ("dispatched", "en_route"))


def _stop(served: Served, stop_id: str) -> dict[str, Any]:
    return next(s for s in _route(served)["stops"] if s["stop_id"] == stop_id)


def _wait_for_state(served: Served, stop_id: str, state: str, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while _stop(served, stop_id)["state"] != state:
        assert time.monotonic() < deadline, f"{stop_id} never became {state}"
        time.sleep(0.2)


def _card(page: Any, stop_id: str) -> Any:
    return page.locator(f'[data-stop-id="{stop_id}"]')


def test_the_driver_sees_their_stops_in_order(open_page: Any, served: Served) -> None:
    """The open stops in the plan's order, each with its window, address, client, a call
    link and a navigation hand-off; nothing of another truck's stops."""
    route = _route(served)
    page = open_page("driver", "/driver", PHONE)
    page.locator(".fl-stop").first.wait_for()
    shown = page.locator(".fl-stop").evaluate_all("cards => cards.map(card => card.dataset.stopId)")
    open_ids = [s["stop_id"] for s in route["stops"] if s["state"] not in ("completed", "failed")]
    assert shown == open_ids
    first = route["stops"][[s["stop_id"] for s in route["stops"]].index(shown[0])]
    card = _card(page, shown[0])
    assert card.get_by_text("Next stop").is_visible()
    assert card.get_by_text(first["client"]["name"]).first.is_visible()
    assert card.get_by_text(first["address"]).is_visible()
    assert "Window" in card.inner_text() and "ETA" in card.inner_text()
    navigate = card.get_by_role("link", name="Navigate")
    assert navigate.get_attribute("href").startswith(f"geo:{first['location']['lat']:.6f}")
    call = card.get_by_role("link", name=f"Call {first['client']['phone']}")
    assert call.get_attribute("href").startswith("tel:+423")
    live = served.api("dispatcher").get("/api/v1/live").json()
    others = {
        stop["order_id"]
        for vehicle in live["vehicles"]
        if vehicle["vehicle_id"] != route["vehicle"]["id"]
        for stop in vehicle["remaining"]
    }
    assert others and not others & set(shown)
    html = page.content()
    assert not [stop_id for stop_id in others if stop_id in html]
    screenshot(page, "driver_route_phone")


def test_arrived_then_completed_with_a_note(open_page: Any, served: Served) -> None:
    """The driver taps Arrived, then Completed with a note and a signature: the stop is
    completed in the system, with the note and a proof, and folds into the done list."""
    stop = _first_open_stop(served)
    page = open_page("driver", "/driver", PHONE)
    card = _card(page, stop["stop_id"])
    card.get_by_role("button", name="Arrived").click()
    _wait_for_state(served, stop["stop_id"], "arrived")
    card.get_by_text("Arrived", exact=True).first.wait_for()
    card.get_by_role("button", name="Completed").click()
    sheet = page.get_by_role("dialog", name="Completed")
    sheet.get_by_label("Note").fill("Left with the neighbour at no. 12")
    pad = sheet.get_by_label("Signature").bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + 40)
    page.mouse.down()
    page.mouse.move(pad["x"] + 120, pad["y"] + 90, steps=8)
    page.mouse.move(pad["x"] + 220, pad["y"] + 30, steps=8)
    page.mouse.up()
    screenshot(page, "driver_complete_sheet_phone")
    sheet.get_by_role("button", name="Save completed").click()
    _wait_for_state(served, stop["stop_id"], "completed")
    reports = _stop(served, stop["stop_id"])["reports"]
    assert [r["type"] for r in reports] == ["arrived", "completed"]
    assert reports[1]["note"] == "Left with the neighbour at no. 12" and reports[1]["has_proof"]
    _card(page, stop["stop_id"]).wait_for(state="detached", timeout=10_000)
    done = page.locator("summary", has_text="Done (")
    done.click()
    page.locator(".fl-done", has_text="Left with the neighbour").wait_for(timeout=10_000)
    screenshot(page, "driver_done_list_phone")


def test_a_failed_stop_needs_a_reason(open_page: Any, served: Served) -> None:
    """Failed without a reason is stopped in the form; with 'Client absent' it is sent."""
    stop = _first_open_stop(served)
    page = open_page("driver", "/driver", PHONE)
    _card(page, stop["stop_id"]).get_by_role("button", name="Failed").click()
    sheet = page.get_by_role("dialog", name="Failed")
    sheet.get_by_role("button", name="Save failed").click()
    sheet.get_by_text("choose a reason").wait_for(timeout=10_000)
    screenshot(page, "driver_failed_needs_reason_phone")
    sheet.get_by_text("Client absent").click()
    sheet.get_by_label("Note").fill("Rang twice, no answer")
    sheet.get_by_role("button", name="Save failed").click()
    _wait_for_state(served, stop["stop_id"], "failed")
    final = _stop(served, stop["stop_id"])["reports"][-1]
    assert (final["reason"], final["note"]) == ("client_absent", "Rang twice, no answer")


def test_an_action_taken_offline_is_sent_once_when_back_online(
    open_page: Any, served: Served
) -> None:
    """Offline, a completion waits on the phone ('1 action waiting to be sent'); back
    online it is sent by itself and the stop holds exactly one completion."""
    stop = _first_open_stop(served)
    page = open_page("driver", "/driver", PHONE)
    page.context.set_offline(True)
    _card(page, stop["stop_id"]).get_by_role("button", name="Completed").click()
    page.get_by_role("dialog", name="Completed").get_by_role(
        "button", name="Save completed"
    ).click()
    page.get_by_text("1 action waiting to be sent").wait_for()
    assert _card(page, stop["stop_id"]).get_by_text("waiting to be sent").is_visible()
    time.sleep(1.0)
    assert _stop(served, stop["stop_id"])["state"] == stop["state"]
    screenshot(page, "driver_offline_queue_phone")
    page.context.set_offline(False)
    _wait_for_state(served, stop["stop_id"], "completed", timeout_s=20)
    page.get_by_text("waiting to be sent").first.wait_for(state="hidden", timeout=10_000)
    time.sleep(1.0)
    reports = _stop(served, stop["stop_id"])["reports"]
    assert [r["type"] for r in reports] == ["completed"]
    assert page.evaluate("() => FleetDriver.waiting()") == 0


def test_another_drivers_stop_is_refused_on_the_page(open_page: Any, served: Served) -> None:
    """An action on a stop of another truck is refused by the server, said on the page,
    and changes nothing."""
    route = _route(served)
    live = served.api("dispatcher").get("/api/v1/live").json()
    other = next(
        stop["order_id"]
        for vehicle in live["vehicles"]
        if vehicle["vehicle_id"] != route["vehicle"]["id"]
        for stop in vehicle["remaining"]
    )
    page = open_page("driver", "/driver", PHONE)
    page.evaluate(f"() => FleetDriver.stopAction('arrived', '{other}', 'a stop')")
    page.get_by_text("stop_id: this stop is not on your route today").wait_for()
    assert page.evaluate("() => FleetDriver.waiting()") == 0
    status = served.api("dispatcher").get(f"/api/v1/orders/{other}").json()["state"]
    assert status == "dispatched"
    with served.api("driver") as api:
        body = {"type": "arrived", "at": MORNING.isoformat()}
        refused = api.post(f"/api/v1/stops/{other}/events", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"][0]["field"] == "stop_id"


def test_a_breakdown_report_then_back_on_the_road(open_page: Any, served: Served) -> None:
    """The driver reports a breakdown with a note: the truck is broken down for the
    dispatcher too; then 'Back on the road' puts it on duty again."""
    page = open_page("driver", "/driver", PHONE)
    page.get_by_role("button", name="Breakdown").click()
    sheet = page.get_by_role("dialog", name="Breakdown")
    sheet.get_by_label("Note").fill("Flat tyre on the A14")
    sheet.get_by_role("button", name="Save breakdown").click()
    page.locator(".fl-vehicle-status", has_text="Broken down").wait_for(timeout=15_000)
    vehicle = _route(served)["vehicle"]
    assert (vehicle["status"], vehicle["note"]) == ("broken_down", "Flat tyre on the A14")
    assert live_status(served, vehicle["id"], "broken_down") == "broken_down"
    screenshot(page, "driver_broken_down_phone")
    page.get_by_role("button", name="Back on the road").click()
    page.locator(".fl-vehicle-status", has_text="On duty").wait_for(timeout=15_000)
    assert _route(served)["vehicle"]["status"] == "on_duty"


def test_the_route_at_desktop_size(open_page: Any, served: Served) -> None:
    """A driver on a tablet or laptop sees the same list, centred and readable."""
    page = open_page("driver", "/driver", DESKTOP)
    page.locator(".fl-stop").first.wait_for()
    box = page.locator(".fl-stop").first.bounding_box()
    assert box["width"] <= 660
    screenshot(page, "driver_route_desktop")


def test_other_roles_do_not_get_the_driver_app(open_page: Any, served: Served) -> None:
    """A dispatcher opening /driver is told it is not part of their role."""
    page = open_page("dispatcher", "/driver", PHONE)
    assert page.get_by_text("This page is not part of your role.").is_visible()
