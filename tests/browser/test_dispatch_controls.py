"""The controls of the day in a real browser: re-planning policies, the message hold,
traffic incidents picked on the map, and a driver's call reported for them.

Each test puts back what it changed (policies, the hold, incidents, the truck's status)
so that the other browser tests sharing the server see the day as it was.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
from playwright.sync_api import expect

from fleetline.domain import commands
from tests.browser.conftest import PHONE, Served, live_status, screenshot

PAGE = "/dispatch/controls"


def _field(page: Any, test_id: str) -> Any:
    """The Quasar field around the input with ``test_id`` (its error message is there)."""
    return page.locator(".q-field", has=page.get_by_test_id(test_id))


def _choose(page: Any, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    page.keyboard.press("Escape")


def _policies(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {p["trigger"]: p for p in api.get("/api/v1/replan-policies").json()}


def _put_policy(api: httpx.Client, policy: dict[str, Any]) -> None:
    body = {"mode": policy["mode"]}
    if policy["threshold_s"] is not None:
        body["threshold_s"] = policy["threshold_s"]
    assert api.put(f"/api/v1/replan-policies/{policy['trigger']}", json=body).status_code == 200


def _truck_for_calls(served: Served, api: httpx.Client) -> dict[str, Any]:
    """A working truck with stops that the driver app and the decision tests leave alone.

    The driver app drives the first truck; the decision tests break down the last of
    the others by name and move stops to the first of them: this takes the middle one
    when there are three (the test puts its truck back on duty in any case).
    """
    spare = sorted(
        (
            v
            for v in api.get("/api/v1/live").json()["vehicles"]
            if v["vehicle_id"] != served.company.vehicle_ids[0]
            and v["status"] == "on_duty"
            and v["remaining"]
        ),
        key=lambda v: v["name"],
    )
    assert spare, "no working truck with stops to report for"
    return dict(spare[len(spare) // 2] if len(spare) > 2 else spare[0])


def test_a_dispatcher_sets_a_policy_and_the_api_has_it(open_page: Any, served: Served) -> None:
    """A client's changed window set to wait for approval, and late trucks counted from
    30 minutes: the API then holds both; a threshold of 0 minutes is refused next to
    its field and not stored."""
    api = served.api("dispatcher")
    before = _policies(api)
    try:
        page = open_page("dispatcher", PAGE)
        window = page.get_by_test_id("policy-window_change")
        expect(window).to_contain_text("Now: apply by itself")
        window.get_by_test_id("policy-window_change-mode").get_by_text("Ask me first").click()
        window.get_by_test_id("policy-window_change-save").click()
        expect(page.get_by_test_id("policy-window_change-state")).to_have_text(
            "Now: ask me first", timeout=10_000
        )
        assert _policies(api)["window_change"]["mode"] == "approve"

        late = page.get_by_test_id("policy-vehicle_late")
        page.get_by_test_id("policy-vehicle_late-threshold").fill("0")
        late.get_by_test_id("policy-vehicle_late-save").click()
        expect(_field(page, "policy-vehicle_late-threshold")).to_contain_text(
            "Whole minutes from 1 to 240."
        )
        assert _policies(api)["vehicle_late"] == before["vehicle_late"]

        page.get_by_test_id("policy-vehicle_late-threshold").fill("30")
        late.get_by_test_id("policy-vehicle_late-save").click()
        expect(page.get_by_test_id("policy-vehicle_late-state")).to_contain_text(
            "from 30 min late", timeout=10_000
        )
        stored = _policies(api)["vehicle_late"]
        assert (stored["mode"], stored["threshold_s"]) == (
            before["vehicle_late"]["mode"],
            1800,
        )
        expect(_field(page, "policy-vehicle_late-threshold")).not_to_contain_text("Whole")
        screenshot(page, "dispatch_controls_desktop")
        phone = open_page("dispatcher", PAGE, PHONE)
        expect(phone.get_by_test_id("policy-window_change-state")).to_have_text("Now: ask me first")
        screenshot(phone, "dispatch_controls_phone")
    finally:
        for trigger in ("window_change", "vehicle_late"):
            _put_policy(api, before[trigger])


def test_a_dispatcher_holds_client_messages_and_releases_them(
    open_page: Any, served: Served
) -> None:
    """Holding without a reason is refused next to the reason; with one, the page and
    the API say messages are held, by whom, since when and why, with the messages
    waiting; Release lets them go again."""
    api = served.api("dispatcher")
    try:
        page = open_page("dispatcher", PAGE)
        toggle = page.get_by_test_id("hold-toggle")
        expect(toggle).to_have_text("Hold messages")
        toggle.click()
        expect(_field(page, "hold-reason")).to_contain_text("Say why messages are held")
        assert api.get("/api/v1/notifications/hold").json()["held"] is False

        page.get_by_test_id("hold-reason").fill("Flooding on the A13")
        toggle.click()
        state = page.get_by_test_id("hold-state")
        expect(state).to_have_text(
            "Held since 08:30 by dispatcher Ann: Flooding on the A13", timeout=10_000
        )
        expect(page.get_by_test_id("hold-waiting")).to_contain_text("to be sent when you release")
        hold = api.get("/api/v1/notifications/hold").json()
        assert (hold["held"], hold["reason"], hold["by"]) == (
            True,
            "Flooding on the A13",
            "dispatcher Ann",
        )
        expect(page.get_by_test_id("hold-waiting")).to_contain_text(f"{hold['waiting']:,} message")
        screenshot(page, "dispatch_controls_held")

        expect(toggle).to_have_text("Release messages")
        toggle.click()
        expect(state).to_contain_text("Messages go out as usual", timeout=10_000)
        assert api.get("/api/v1/notifications/hold").json()["held"] is False
    finally:
        api.put("/api/v1/notifications/hold", json={"held": False})


def _active(api: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.get("/api/v1/traffic/incidents?active=true").json()
    return found


def test_a_slowdown_picked_on_the_map_is_in_force_and_a_bad_radius_is_refused(
    open_page: Any, served: Served
) -> None:
    """A click on the map sets the centre; a radius of 200 km is refused next to the
    radius with nothing stored; with 1.5 km the slowdown (since 08:20) is in the list of
    incidents in force and in the API; End now ends it."""
    api = served.api("dispatcher")
    before = {i["id"] for i in _active(api)}
    mine: list[str] = []
    try:
        page = open_page("dispatcher", PAGE)
        page.get_by_test_id("incident-kind").get_by_text("Slowdown").click()
        area = page.get_by_test_id("incident-map")
        expect(area).to_be_visible()
        box = area.bounding_box()
        area.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        lat_input = page.get_by_test_id("incident-lat")
        expect(lat_input).not_to_have_value("", timeout=10_000)
        lat = float(lat_input.input_value())
        lon = float(page.get_by_test_id("incident-lon").input_value())

        page.get_by_test_id("incident-radius").fill("200000")
        page.get_by_test_id("incident-factor").fill("3")
        page.get_by_test_id("incident-note").fill("Lorry lost its load")
        page.get_by_test_id("incident-starts").fill("08:20")
        page.get_by_test_id("incident-report").click()
        expect(_field(page, "incident-radius")).to_contain_text("From 1 m to 100,000 m")
        time.sleep(0.5)
        assert {i["id"] for i in _active(api)} == before

        page.get_by_test_id("incident-radius").fill("1500")
        page.get_by_test_id("incident-report").click()
        listed = page.get_by_test_id("active-incidents")
        expect(listed).to_contain_text("Slowdown: travel ×3 · 1.5 km around", timeout=10_000)
        expect(listed).to_contain_text("Lorry lost its load")
        expect(_field(page, "incident-radius")).not_to_contain_text("From 1 m")
        new = [i for i in _active(api) if i["id"] not in before]
        mine.extend(i["id"] for i in new)
        assert len(new) == 1
        incident = new[0]
        assert (incident["kind"], incident["factor"], incident["note"]) == (
            "slowdown",
            3,
            "Lorry lost its load",
        )
        assert incident["area"]["radius_m"] == 1500
        assert abs(incident["area"]["center"]["lat"] - lat) < 1e-5
        assert abs(incident["area"]["center"]["lon"] - lon) < 1e-5
        screenshot(page, "dispatch_controls_incident")

        page.get_by_test_id(f"incident-end-{incident['id']}").click()
        expect(page.get_by_test_id(f"incident-end-{incident['id']}")).to_have_count(
            0, timeout=10_000
        )
        assert incident["id"] not in {i["id"] for i in _active(api)}
    finally:
        for incident_id in mine:
            api.post(f"/api/v1/traffic/incidents/{incident_id}/end")


def test_a_breakdown_phoned_in_is_reported_for_the_driver_and_opens_an_exception(
    open_page: Any, served: Served
) -> None:
    """From the truck's timeline on the live page the dispatcher reports the driver's
    breakdown: the truck is broken down in the API, its exception is open and linked
    from the page; a delay for a broken-down truck is refused next to 'What happened';
    Back on the road puts it on duty."""
    api = served.api("dispatcher")
    truck = _truck_for_calls(served, api)
    vehicle_id = truck["vehicle_id"]
    try:
        page = open_page("dispatcher", PAGE)
        page.get_by_test_id("truck-send").click()
        expect(_field(page, "truck-pick")).to_contain_text("Choose the driver's truck.")
        expect(_field(page, "truck-event")).to_contain_text("Choose what happened.")

        page = open_page("dispatcher", "/dispatch")
        page.locator(".fl-fleet tbody tr", has_text=truck["name"]).click()
        page.get_by_test_id("report-for-driver").click()
        page.wait_for_url(re.compile(r"/dispatch/controls\?date=.*&truck="))
        expect(_field(page, "truck-pick")).to_contain_text(truck["name"], timeout=10_000)
        _choose(page, "truck-event", "Broke down")
        page.get_by_test_id("truck-note").fill("Gearbox, the driver phoned")
        page.get_by_test_id("truck-send").click()
        expect(page.get_by_test_id("truck-outcome")).to_have_text(
            f"Reported: {truck['name']} is broken down.", timeout=15_000
        )
        expect(page.get_by_test_id("truck-exception")).to_contain_text(
            f"{truck['name']} broke down", timeout=15_000
        )
        expect(page.get_by_test_id("truck-exception").get_by_role("link")).to_have_attribute(
            "href", re.compile(r"/dispatch/exceptions")
        )
        assert live_status(served, vehicle_id, "broken_down") == "broken_down"
        opened = [
            e
            for e in api.get("/api/v1/exceptions", params={"status": "open"}).json()
            if e["kind"] == "breakdown" and e["vehicle_id"] == vehicle_id
        ]
        assert len(opened) == 1 and "Gearbox, the driver phoned" in opened[0]["summary"]
        expect(page.get_by_test_id(f"truck-{vehicle_id}")).to_contain_text("Broken down")
        screenshot(page, "dispatch_controls_breakdown")

        _choose(page, "truck-pick", truck["name"])
        _choose(page, "truck-event", "Is delayed")
        page.get_by_test_id("truck-send").click()
        expect(_field(page, "truck-event")).to_contain_text(
            "is broken_down and cannot become delayed", timeout=10_000
        )
        _choose(page, "truck-event", "Back on the road")
        page.get_by_test_id("truck-send").click()
        expect(page.get_by_test_id("truck-outcome")).to_have_text(
            f"Reported: {truck['name']} is on duty.", timeout=15_000
        )
        assert live_status(served, vehicle_id, "on_duty") == "on_duty"
    finally:
        for exception in api.get("/api/v1/exceptions", params={"status": "open"}).json():
            if exception["kind"] == "breakdown" and exception["vehicle_id"] == vehicle_id:
                served.services.bus.handle(
                    commands.ResolveException(
                        exception_id=exception["id"], option_id=None, by="test cleanup"
                    )
                )
        status = api.get("/api/v1/live").json()
        if any(
            v["vehicle_id"] == vehicle_id and v["status"] != "on_duty" for v in status["vehicles"]
        ):
            api.post(
                f"/api/v1/vehicles/{vehicle_id}/events",
                json={"type": "on_duty", "at": served.services.clock.now().isoformat()},
            )


def test_a_slowdown_over_an_area_typed_corner_by_corner(open_page: Any, served: Served) -> None:
    """On a phone, in polygon mode a click on the map adds a corner; a corner typed
    without its longitude is refused next to the corners, naming the line, with nothing
    stored; three good corners make a slowdown over that area, in force and in the API."""
    api = served.api("dispatcher")
    before = {i["id"] for i in _active(api)}
    mine: list[str] = []
    try:
        page = open_page("dispatcher", PAGE, PHONE)
        page.get_by_test_id("incident-shape").get_by_text("Polygon").click()
        corners = page.get_by_test_id("incident-corners")
        expect(corners).to_be_visible()
        area = page.get_by_test_id("incident-map")
        area.scroll_into_view_if_needed()
        box = area.bounding_box()
        area.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        expect(corners).to_have_value(re.compile(r"^\d+\.\d{6}, \d+\.\d{6}$"), timeout=10_000)
        lat, lon = (float(v) for v in corners.input_value().split(","))

        corners.fill(f"{lat:.5f}, {lon:.5f}\n{lat + 0.01:.5f}, {lon:.5f}\n{lat:.5f}")
        page.get_by_test_id("incident-starts").fill("08:20")
        page.get_by_test_id("incident-note").fill("Market day in the centre")
        page.get_by_test_id("incident-report").click()
        expect(_field(page, "incident-corners")).to_contain_text("Line 3: write it as")
        time.sleep(0.5)
        assert {i["id"] for i in _active(api)} == before

        corners.fill(
            f"{lat:.5f}, {lon:.5f}\n{lat + 0.01:.5f}, {lon:.5f}\n{lat:.5f}, {lon + 0.01:.5f}"
        )
        page.get_by_test_id("incident-report").click()
        listed = page.get_by_test_id("active-incidents")
        expect(listed).to_contain_text("Slowdown: travel ×2 · an area of 3 corners", timeout=10_000)
        new = [i for i in _active(api) if i["id"] not in before]
        mine.extend(i["id"] for i in new)
        assert len(new) == 1 and new[0]["note"] == "Market day in the centre"
        drawn = [(round(p["lat"], 5), round(p["lon"], 5)) for p in new[0]["area"]["polygon"]]
        assert drawn == [
            (round(lat, 5), round(lon, 5)),
            (round(lat + 0.01, 5), round(lon, 5)),
            (round(lat, 5), round(lon + 0.01, 5)),
        ]
        screenshot(page, "dispatch_controls_polygon_phone")
    finally:
        for incident_id in mine:
            api.post(f"/api/v1/traffic/incidents/{incident_id}/end")


def test_an_agent_does_not_get_the_controls(open_page: Any) -> None:
    """A customer-service agent opening the controls is told the page is not theirs,
    and sees no switch of the hold or the policies."""
    page = open_page("agent", PAGE)
    expect(page.get_by_text("This page is not part of your role.")).to_be_visible()
    expect(page.get_by_test_id("hold-toggle")).to_have_count(0)
    expect(page.get_by_test_id("policies")).to_have_count(0)
