"""The dispatcher's live picture in a real browser: map, fleet list, timeline, planning."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, MORNING, PHONE, SPEC, Served, screenshot

SIZES = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


def _map_counts(page: Any) -> dict[str, Any]:
    page.wait_for_function(
        "() => document.querySelector('.fl-map') && document.querySelector('.fl-map')"
        ".dataset.trucks > 0",
        timeout=15_000,
    )
    counts: dict[str, Any] = page.evaluate(
        "() => window.flDispatch.counts(document.querySelector('.fl-map').id.slice(1))"
    )
    return counts


@pytest.mark.parametrize("size", SIZES)
def test_the_map_shows_every_truck_and_the_fleet_list_lists_them(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """A dispatcher sees one marker per truck, each route, and the 4 trucks in the list."""
    page = open_page("dispatcher", "/dispatch", size)
    counts = _map_counts(page)
    assert counts["trucks"] == SPEC.trucks
    assert counts["routes"] >= 1
    assert page.locator(".fl-truck").count() == SPEC.trucks
    rows = page.locator(".fl-fleet tbody tr")
    assert rows.count() == SPEC.trucks
    names = {rows.nth(i).locator("td").first.inner_text() for i in range(SPEC.trucks)}
    live = served.api("dispatcher").get("/api/v1/live").json()
    assert names == {vehicle["name"] for vehicle in live["vehicles"]}
    assert page.locator('[data-kpi="on_time"]').is_visible()
    screenshot(page, f"dispatch_live_{'phone' if size is PHONE else 'desktop'}")


def _truck_position(page: Any, vehicle_id: str) -> tuple[float, float] | None:
    marker = page.locator(f'.fl-truck[data-vehicle-id="{vehicle_id}"]')
    if marker.count() == 0:
        return None
    return float(marker.get_attribute("data-lat")), float(marker.get_attribute("data-lon"))


@pytest.mark.parametrize("size", SIZES)
def test_a_position_posted_through_the_api_moves_the_truck_on_an_open_page(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """A truck's new position shows on the dispatcher's map within about two seconds."""
    page = open_page("dispatcher", "/dispatch", size)
    _map_counts(page)
    api = served.api("dispatcher")
    vehicle = api.get("/api/v1/live").json()["vehicles"][-1]
    before = vehicle["position"]
    recorded = before["recorded_at"]
    last = datetime.fromisoformat(recorded) if recorded else MORNING - timedelta(minutes=10)
    offset = 0.004 if size is PHONE else -0.004
    target = (round(before["lat"] + offset, 6), round(before["lon"] + offset, 6))
    body = {
        "positions": [
            {
                "vehicle_id": vehicle["vehicle_id"],
                "lat": target[0],
                "lon": target[1],
                "recorded_at": (last + timedelta(seconds=1)).isoformat(),
            }
        ]
    }
    assert _truck_position(page, vehicle["vehicle_id"]) == (before["lat"], before["lon"])
    assert api.post("/api/v1/telemetry/positions", json=body).status_code == 202
    page.wait_for_function(
        """([id, lat, lon]) => {
            const m = document.querySelector(`.fl-truck[data-vehicle-id="${id}"]`);
            return m && Math.abs(Number(m.dataset.lat) - lat) < 1e-6
                     && Math.abs(Number(m.dataset.lon) - lon) < 1e-6;
        }""",
        arg=[vehicle["vehicle_id"], target[0], target[1]],
        timeout=10_000,
    )
    map_id = page.locator(".fl-map").get_attribute("id")[1:]
    drawn = page.evaluate(f"() => window.flDispatch.truckAt({map_id}, '{vehicle['vehicle_id']}')")
    assert drawn == pytest.approx(list(target), abs=1e-6)


def test_clicking_a_truck_in_the_fleet_list_shows_its_timeline(
    open_page: Any, served: Served
) -> None:
    """The timeline lists the truck's remaining stops with windows; late ones in red."""
    page = open_page("dispatcher", "/dispatch")
    _map_counts(page)
    live = served.api("dispatcher").get("/api/v1/live").json()
    busiest = max(live["vehicles"], key=lambda v: len(v["remaining"]))
    page.locator(".fl-fleet tbody tr", has_text=busiest["name"]).click()
    card = page.locator(".fl-timeline-card")
    card.get_by_text(busiest["name"], exact=False).first.wait_for(timeout=5_000)
    rows = card.locator(".fl-tl-row[data-order-id]")
    rows.first.wait_for(timeout=5_000)
    shown = [rows.nth(i).get_attribute("data-order-id") for i in range(rows.count())]
    assert shown == [stop["order_id"] for stop in busiest["remaining"] if stop["eta"]]
    late = {s["order_id"] for s in busiest["remaining"] if s["risk"] == "late"}
    for order_id in late:
        label = card.locator(f'.fl-tl-row[data-order-id="{order_id}"] .fl-tl-label')
        assert "text-negative" in (label.get_attribute("class") or "")
    screenshot(page, "dispatch_timeline_desktop")


def test_an_agent_cannot_open_the_dispatcher_console(open_page: Any) -> None:
    """A customer-service agent is told the page is not theirs and sees no map."""
    page = open_page("agent", "/dispatch")
    assert page.get_by_text("This page is not part of your role.").is_visible()
    assert page.locator(".fl-map").count() == 0
    assert page.locator(".fl-fleet").count() == 0


def _orders_for(served: Served, day_offset: int) -> tuple[str, list[str]]:
    """Six orders around the depot on a day without a plan; returns (day, order ids)."""
    day = SPEC.day + timedelta(days=day_offset)
    zone = MORNING.tzinfo
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(hours=9)
    body = [
        {
            "client_id": served.company.client_ids[i % len(served.company.client_ids)],
            "date": day.isoformat(),
            "location": {"lat": 47.14 + 0.01 * i, "lon": 9.51 + 0.004 * (i % 3)},
            "time_windows": [
                {"start": start.isoformat(), "end": (start + timedelta(hours=8)).isoformat()}
            ],
            "demand": {"weight_kg": 80, "pallets": 1},
            "service_s": 300,
            "address": f"Landstrasse {10 + i}, Vaduz",
        }
        for i in range(6)
    ]
    answer = served.api("dispatcher").post("/api/v1/orders", json=body)
    assert answer.status_code == 201, answer.text
    return day.isoformat(), [order["id"] for order in answer.json()]


@pytest.mark.parametrize("size", SIZES)
def test_a_dispatcher_plans_and_dispatches_a_day(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """On a day with orders and no plan: ask for a plan, read it, dispatch it."""
    name = "phone" if size is PHONE else "desktop"
    day, order_ids = _orders_for(served, 10 if size is PHONE else 11)
    page = open_page("dispatcher", f"/dispatch?date={day}", size)
    panel = page.locator(".fl-planning")
    panel.get_by_text("6 orders").wait_for(timeout=10_000)
    limit = page.locator('[data-field="time_limit_s"]')
    limit.fill("soon")
    page.locator("[data-action=plan]").click()
    panel.get_by_text("Enter a number of seconds.").wait_for(timeout=10_000)
    limit.fill("5000")
    page.locator("[data-action=plan]").click()
    panel.get_by_text("at most 3600 seconds").wait_for(timeout=10_000)
    assert served.api().get("/api/v1/plans", params={"date": day}).json() == []
    limit.fill("2")
    page.locator("[data-action=plan]").click()
    page.locator('[data-plan-status="ready"]').wait_for(timeout=60_000)
    assert panel.get_by_text("6 stops").is_visible()
    screenshot(page, f"dispatch_plan_ready_{name}")
    page.locator("[data-action=dispatch]").click()
    page.locator(".fl-fleet").wait_for(timeout=15_000)
    plans = served.api().get("/api/v1/plans", params={"date": day}).json()
    assert [plan["live"] for plan in plans] == [True]
    live = served.api().get("/api/v1/live", params={"date": day}).json()
    planned = {stop["order_id"] for v in live["vehicles"] for stop in v["remaining"]}
    assert planned == set(order_ids)
    assert _map_counts(page)["stops"] == len(order_ids)
    screenshot(page, f"dispatch_plan_dispatched_{name}")
