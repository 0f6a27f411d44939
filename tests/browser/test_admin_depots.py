"""Changing a depot in the admin console, at a desk and on a phone: the form checks what
it can before it sends, and shows the server's refusal next to the field it names."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from .conftest import DESKTOP, PHONE, Served, screenshot

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _name(size: dict[str, int]) -> str:
    return "phone" if size is PHONE else "desktop"


def _field(page: Any, label: str) -> Any:
    """The Quasar field around the input labelled ``label`` (its error shows there)."""
    return page.locator(".q-field", has=page.get_by_label(label, exact=True))


def _choose_zone(page: Any, zone: str) -> None:
    page.get_by_test_id("depot-zone").click()
    page.keyboard.type(zone.split("/")[-1])
    page.get_by_role("option", name=zone, exact=True).click()


def _admin(served: Served) -> httpx.Client:
    return served.api("admin")


def _edit(page: Any, name: str) -> Any:
    row = page.locator(f'[data-depot="{name}"]')
    row.get_by_role("button", name=f"Edit depot {name}").click()
    form = page.get_by_test_id("depot-form")
    form.wait_for()
    return form


@SIZES
def test_an_admin_moves_renames_and_rezones_a_depot(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """The form opens with the depot's values; an empty name and a latitude off the globe
    are refused next to their fields and nothing is stored; the corrected change is saved,
    listed, and the API reads it back."""
    name = f"Triesen {secrets.token_hex(2).upper()}"  # after "Schaan": the company zone stays
    body = {"name": name, "location": {"lat": 47.24, "lon": 9.53}, "timezone": "Europe/Vaduz"}
    with _admin(served) as api:
        depot = api.post("/api/v1/depots", json=body).json()
    page = open_page("admin", "/admin?tab=vehicles", size)
    form = _edit(page, name)
    assert form.get_by_text(f"Edit {name}").is_visible()
    assert page.get_by_label("Depot name").input_value() == name
    assert page.get_by_label("Latitude").input_value().startswith("47.24")
    page.get_by_label("Depot name").fill("  ")
    page.get_by_label("Latitude").fill("147.2")
    page.get_by_test_id("depot-save").click()
    _field(page, "Depot name").get_by_text("Give the depot a name").wait_for()
    _field(page, "Latitude").get_by_text("Degrees from -90 to 90.").wait_for()
    page.wait_for_timeout(400)  # let the hints finish fading into the errors
    screenshot(page, f"admin-depot-form-{_name(size)}")
    with _admin(served) as api:
        assert api.get(f"/api/v1/depots/{depot['id']}").json() == depot

    renamed = f"{name} Nord"
    page.get_by_label("Depot name").fill(renamed)
    page.get_by_label("Latitude").fill("47.25")
    _choose_zone(page, "Europe/Zurich")
    page.get_by_test_id("depot-save").click()
    form.wait_for(state="hidden")
    row = page.locator(f'[data-depot="{renamed}"]')
    row.wait_for()
    assert f"{renamed} (Europe/Zurich)" in row.inner_text()
    assert "47.25000, 9.53000" in row.inner_text()
    screenshot(page, f"admin-depots-{_name(size)}")
    with _admin(served) as api:
        stored = api.get(f"/api/v1/depots/{depot['id']}").json()
    assert stored == {
        "id": depot["id"],
        "name": renamed,
        "location": {"lat": 47.25, "lon": 9.53},
        "timezone": "Europe/Zurich",
    }


@SIZES
def test_the_server_s_refusal_of_a_new_zone_shows_next_to_the_time_zone(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """The seeded depot's trucks are dispatched today: the form passes its own checks, the
    server refuses the new zone, and its reason shows under the time zone with the dialog
    still open; the depot is unchanged."""
    with _admin(served) as api:
        before = api.get(f"/api/v1/depots/{served.company.depot_id}").json()
    page = open_page("admin", "/admin?tab=vehicles", size)
    form = _edit(page, before["name"])
    page.get_by_label("Depot name").fill(f"{before['name']} renamed")
    _choose_zone(page, "Europe/Lisbon")
    page.get_by_test_id("depot-save").click()
    zone = _field(page, "Time zone")
    zone.get_by_text("The depot's trucks are dispatched for").wait_for()
    assert "change its time zone when no dispatched day is left" in zone.inner_text()
    assert form.is_visible() and page.get_by_test_id("depot-save").is_enabled()
    assert "q-field--error" not in (_field(page, "Depot name").get_attribute("class") or "")
    page.wait_for_timeout(400)  # let the zone's menu finish closing
    screenshot(page, f"admin-depot-refused-{_name(size)}")
    with _admin(served) as api:
        assert api.get(f"/api/v1/depots/{served.company.depot_id}").json() == before
