"""The dispatcher's live picture in a real browser: map, fleet list, timeline, planning."""

from __future__ import annotations

import time
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
