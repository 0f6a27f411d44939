"""The company's time zone in the admin console, at a desk and on a phone: shown with
where it came from, and a change the server refuses is explained next to the field."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import DESKTOP, PHONE, Served, screenshot

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _name(size: dict[str, int]) -> str:
    return "phone" if size is PHONE else "desktop"


@SIZES
def test_the_company_zone_is_shown_and_a_refused_change_says_why(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """The seeded company took its zone from its first depot, as the section says; its
    day is dispatched, so a new zone is refused under the time zone field with the dialog
    still open, and the company keeps its zone."""
    with served.api("admin") as api:
        before = api.get("/api/v1/company").json()
        depot_name = api.get(f"/api/v1/depots/{served.company.depot_id}").json()["name"]
    assert before["timezone_depot_id"] == served.company.depot_id
    page = open_page("admin", "/admin?tab=vehicles", size)
    row = page.get_by_test_id("company-zone")
    row.wait_for()
    text = row.inner_text()
    assert f"Company time zone: {before['timezone']}" in text
    assert "the first depot created" in text
    assert depot_name in text
    screenshot(page, f"admin-company-zone-{_name(size)}")
    row.get_by_role("button", name="Edit company time zone").click()
    form = page.get_by_test_id("company-zone-form")
    form.wait_for()
    page.get_by_test_id("company-zone-select").click()
    page.keyboard.type("Auckland")
    page.get_by_role("option", name="Pacific/Auckland", exact=True).click()
    page.get_by_test_id("company-zone-save").click()
    field = page.locator(".q-field", has=page.get_by_label("Time zone", exact=True))
    field.get_by_text("Trucks are dispatched for").wait_for()
    assert "change the company's time zone when no dispatched day is left" in field.inner_text()
    assert form.is_visible() and page.get_by_test_id("company-zone-save").is_enabled()
    page.wait_for_timeout(400)  # let the zone's menu finish closing
    screenshot(page, f"admin-company-zone-refused-{_name(size)}")
    with served.api("admin") as api:
        assert api.get("/api/v1/company").json() == before
