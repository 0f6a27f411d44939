"""The dispatcher's decisions in a real browser: resolving a breakdown from the inbox,
moving a stop with its impact shown first, and a move the trucks cannot take refused."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import MORNING, PHONE, Served, screenshot


def _live(api: httpx.Client) -> dict[str, Any]:
    live: dict[str, Any] = api.get("/api/v1/live").json()
    return live


def _spare_trucks(served: Served, api: httpx.Client) -> list[dict[str, Any]]:
    """Working trucks by name, leaving out the one the driver-app tests use."""
    driver_truck = served.company.vehicle_ids[0]
    return sorted(
        (
            v
            for v in _live(api)["vehicles"]
            if v["status"] == "on_duty" and v["vehicle_id"] != driver_truck
        ),
        key=lambda v: v["name"],
    )


def _open_exception_of(api: httpx.Client, vehicle_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for exception in api.get("/api/v1/exceptions", params={"status": "open"}).json():
            mine = exception["kind"] == "breakdown" and exception["vehicle_id"] == vehicle_id
            if mine and exception["options"]:
                return dict(exception)
        time.sleep(0.5)
    raise AssertionError(f"no exception with options for {vehicle_id}")


def _movable(truck: dict[str, Any]) -> bool:
    return any(s["state"] == "dispatched" for s in truck["remaining"])


def _reference(api: httpx.Client, order_id: str) -> str:
    return str(api.get(f"/api/v1/orders/{order_id}").json()["reference"])


def _choose(page: Any, test_id: str, option: str, typed: str | None = None) -> None:
    page.get_by_test_id(test_id).click()
    if typed:
        page.keyboard.type(typed)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    page.keyboard.press("Escape")


def _fill_move(page: Any, reference: str, truck: str, position: int) -> None:
    _choose(page, "move-stop", reference, typed=reference)
    _choose(page, "move-truck", truck)
    page.get_by_test_id("move-position").fill(str(position))


def test_a_dispatcher_resolves_a_breakdown_from_the_inbox(open_page: Any, served: Served) -> None:
    """A truck breaks down: the inbox shows the exception and its options side by side,
    the recommended one marked; one click applies it, the API then holds the exception
    resolved by the dispatcher and a new live plan version, and the page says so."""
    api = served.api("dispatcher")
    truck = [t for t in _spare_trucks(served, api) if t["remaining"]][-1]
    before = _live(api)["plan_version"]
    reported = api.post(
        f"/api/v1/vehicles/{truck['vehicle_id']}/events",
        json={"type": "breakdown", "at": MORNING.isoformat(), "note": "gearbox"},
    )
    assert reported.status_code == 200, reported.text
    exception = _open_exception_of(api, truck["vehicle_id"])

    page = open_page("dispatcher", "/dispatch/exceptions")
    card = page.get_by_test_id(f"exception-{exception['id']}")
    expect(card).to_be_visible(timeout=10_000)
    expect(card).to_contain_text(truck["name"])
    expect(card).to_contain_text(exception["affected_orders"][0]["client_name"])
    options = card.locator('[data-testid^="option-"]')
    assert options.count() == len(exception["options"]) >= 2
    best = card.get_by_test_id("option-1")
    expect(best).to_contain_text("Recommended")
    expect(best).to_contain_text(exception["options"][0]["summary"])
    first, second = options.nth(0).bounding_box(), options.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"], "side by side"
    screenshot(page, "dispatch_exceptions_desktop")

    best.get_by_role("button", name="Apply this option").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("is live", timeout=30_000)
    resolved = api.get(f"/api/v1/exceptions/{exception['id']}").json()
    assert resolved["status"] == "resolved"
    assert resolved["chosen_option_id"] == exception["options"][0]["id"]
    assert resolved["resolved_by"] == "dispatcher Ann"
    live = _live(api)
    assert live["plan_id"] == resolved["plan_id"] and live["plan_version"] > before
    expect(page.get_by_test_id(f"exception-{exception['id']}")).to_have_count(0)
    expect(page.get_by_test_id("resolved")).to_contain_text(exception["summary"])
    screenshot(page, "dispatch_exceptions_resolved")

    phone = open_page("dispatcher", "/dispatch/exceptions", PHONE)
    expect(phone.get_by_test_id("resolved")).to_contain_text(exception["summary"])
    screenshot(phone, "dispatch_exceptions_phone")


def test_a_dispatcher_moves_a_stop_after_reading_its_impact(open_page: Any, served: Served) -> None:
    """A stop moved to another truck: the page shows the impact on both trucks first;
    Apply makes a new live version with the stop first on the new truck, and the
    versions panel says what moved."""
    api = served.api("dispatcher")
    trucks = _spare_trucks(served, api)
    source = next(t for t in reversed(trucks) if _movable(t))
    target = next(t for t in trucks if t is not source)
    stop = next(s for s in source["remaining"] if s["state"] == "dispatched")
    reference = _reference(api, stop["order_id"])
    position = 1 + sum(1 for s in target["remaining"] if s["state"] != "dispatched")

    page = open_page("dispatcher", "/dispatch/plan")
    expect(page.get_by_text("Live plan: version")).to_be_visible()
    _fill_move(page, reference, target["name"], position)
    page.get_by_test_id("preview").click()
    impact = page.get_by_test_id("impact")
    expect(impact).to_contain_text("Impact of this move", timeout=15_000)
    expect(impact).to_contain_text(target["name"])
    expect(impact).to_contain_text(source["name"])
    expect(impact).to_contain_text(f"{reference}  ← moved here")
    expect(impact).not_to_contain_text("Cannot apply")
    screenshot(page, "dispatch_plan_preview")

    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("is live", timeout=30_000)
    live = _live(api)
    on_target = next(v for v in live["vehicles"] if v["vehicle_id"] == target["vehicle_id"])
    assert [s["order_id"] for s in on_target["remaining"]][position - 1] == stop["order_id"]
    diff = page.get_by_test_id("diff")
    expect(diff).to_contain_text(
        f"Stop {reference} moved from {source['name']} to {target['name']}"
    )
    screenshot(page, "dispatch_plan_applied")


def _refusable_move(api: httpx.Client, served: Served) -> tuple[dict[str, Any], str, str]:
    """A move some truck cannot take (capacity or skills), found through the preview."""
    live = _live(api)
    trucks = _spare_trucks(served, api)
    for source in trucks:
        for stop in (s for s in source["remaining"] if s["state"] == "dispatched"):
            for target in trucks:
                if target is source:
                    continue
                body = {
                    "moves": [
                        {
                            "order_id": stop["order_id"],
                            "vehicle_id": target["vehicle_id"],
                            "position": 1,
                        }
                    ]
                }
                checked = api.post(f"/api/v1/plans/{live['plan_id']}/edits/preview", json=body)
                hard = [v["message"] for v in checked.json()["violations"] if v["hard"]]
                if any("capacity" in m or "needs" in m for m in hard):
                    return stop, target["name"], hard[0]
    raise AssertionError("every stop fits every truck: no refusal to show")


def test_a_move_the_truck_cannot_take_is_refused_with_the_reason(
    open_page: Any, served: Served
) -> None:
    """A stop needing a skill or room the truck lacks: the preview says why it cannot be
    applied, next to the field too; Apply stays off and the live plan is unchanged."""
    api = served.api("dispatcher")
    stop, truck_name, reason = _refusable_move(api, served)
    before = _live(api)["plan_id"]

    page = open_page("dispatcher", "/dispatch/plan")
    _fill_move(page, _reference(api, stop["order_id"]), truck_name, 1)
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("refusal").first).to_contain_text(
        f"Cannot apply: {reason}", timeout=15_000
    )
    expect(page.get_by_test_id("apply")).to_be_disabled()
    expect(page.get_by_text(reason).first).to_be_visible()
    screenshot(page, "dispatch_plan_refused")
    assert _live(api)["plan_id"] == before
