"""The admin console in a real browser: import orders, vehicles, drivers, clients, tokens,
at a desk and on a phone."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import DESKTOP, PHONE, SPEC, Served, screenshot

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
HEADER = "client,date,lat,lon,window_start,window_end,service_minutes,weight_kg,pallets,reference"


def _name(size: dict[str, int]) -> str:
    return "phone" if size is PHONE else "desktop"


def _choose(page: Any, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _field(page: Any, label: str) -> Any:
    """The Quasar field around the input labelled ``label`` (its error shows there)."""
    return page.locator(".q-field", has=page.get_by_label(label, exact=True))


def _admin(served: Served) -> httpx.Client:
    return served.api("admin")


def _orders_file(tmp_path: Path, client: str, day: str, tag: str, bad: bool) -> Path:
    window = "12:00,08:00" if bad else "12:00,14:00"
    rows = [
        f"{client},{day},47.141,9.521,09:00,11:30,10,120,1,{tag}-1",
        f"{client},{day},47.151,9.531,{window},5,80,1,{tag}-2",
    ]
    path = tmp_path / f"orders-{tag}.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


@SIZES
def test_an_admin_imports_orders_after_fixing_the_row_the_report_names(
    open_page: Any, served: Served, size: dict[str, int], tmp_path: Path
) -> None:
    """A file with a window that ends before it starts: the report shows row 3, column
    window_end, and nothing is stored; the fixed file offers "Import 2 orders", and the
    success says 2 orders were stored for the day, which the API then holds."""
    day = (SPEC.day + timedelta(days=40 if size is DESKTOP else 41)).isoformat()
    tag = f"IMP{secrets.token_hex(2).upper()}"
    with _admin(served) as api:
        client = api.get("/api/v1/clients").json()[0]["name"]
    page = open_page("admin", "/admin", size)
    page.get_by_text("1. Choose the file").wait_for()
    page.get_by_text("Columns the file may have").click()
    page.get_by_text("instructions for the driver").wait_for()
    page.wait_for_timeout(400)  # let the fold finish opening before the picture
    screenshot(page, f"admin-import-columns-{_name(size)}")
    page.locator("input[type=file]").set_input_files(
        str(_orders_file(tmp_path, client, day, tag, bad=True))
    )
    report = page.get_by_test_id("import-report")
    report.wait_for()
    assert "2 rows, 1 valid order, 1 problem. Nothing has been stored." in (
        page.get_by_test_id("import-summary").inner_text()
    )
    cells = report.locator("tbody tr").first.locator("td")
    assert [cells.nth(i).inner_text() for i in range(3)] == [
        "3",
        "window_end",
        "Time window ends before it starts.",
    ]
    assert page.get_by_test_id("import-go").count() == 0
    screenshot(page, f"admin-import-report-{_name(size)}")
    with _admin(served) as api:
        assert api.get("/api/v1/orders", params={"date": day}).json()["total"] == 0

    page.locator("input[type=file]").set_input_files(
        str(_orders_file(tmp_path, client, day, tag, bad=False))
    )
    go = page.get_by_test_id("import-go")
    go.wait_for()
    assert go.inner_text().strip().endswith("Import 2 orders")
    go.click()
    done = page.get_by_test_id("import-done")
    done.wait_for()
    assert "Stored 2 orders for" in done.inner_text()
    screenshot(page, f"admin-import-done-{_name(size)}")
    with _admin(served) as api:
        stored = api.get("/api/v1/orders", params={"date": day}).json()["orders"]
    assert sorted(o["reference"] for o in stored) == [f"{tag}-1", f"{tag}-2"]


def test_a_file_that_is_not_a_spreadsheet_is_named_as_such(
    open_page: Any, served: Served, tmp_path: Path
) -> None:
    """A PDF chosen by mistake is refused at once next to the upload; an image renamed
    .csv is refused by the server as binary; neither shows a report."""
    page = open_page("admin", "/admin")
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n\x00\x01binary")
    page.locator("input[type=file]").set_input_files(str(pdf))
    problem = page.get_by_test_id("import-file-error")
    page.get_by_text("Only CSV or Excel files").wait_for()
    renamed = tmp_path / "photo.csv"
    renamed.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    page.locator("input[type=file]").set_input_files(str(renamed))
    page.get_by_text("photo.csv: Not a CSV text file").wait_for()
    assert "binary data" in problem.inner_text()
    assert page.get_by_test_id("import-report").count() == 0


@SIZES
def test_an_admin_adds_a_vehicle_then_takes_it_out_of_service(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """A shift that ends before it starts is refused next to that field; the vehicle is
    then added with its capacity and skill, edited to a new capacity and out of service,
    and the list and the API show it so."""
    name = f"Spare {secrets.token_hex(2).upper()}"
    page = open_page("admin", "/admin?tab=vehicles", size)
    page.get_by_test_id("vehicle-add").click()
    form = page.get_by_test_id("vehicle-form")
    form.wait_for()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Shift starts (HH:MM)").fill("0700")
    page.get_by_label("Shift ends (HH:MM)").fill("0600")
    page.get_by_label("Pallets").fill("12")
    page.get_by_label("Skills").fill("refrigerated")
    page.keyboard.press("Enter")
    page.get_by_test_id("vehicle-save").click()
    _field(page, "Shift ends (HH:MM)").get_by_text("The shift must end after it starts.").wait_for()
    screenshot(page, f"admin-vehicle-form-{_name(size)}")
    with _admin(served) as api:
        assert name not in {v["name"] for v in api.get("/api/v1/vehicles").json()}

    page.get_by_label("Shift ends (HH:MM)").fill("1530")
    page.get_by_test_id("vehicle-save").click()
    row = page.locator(f'[data-vehicle="{name}"]')
    row.wait_for()
    assert "shift 07:00–15:30" in row.inner_text() and "12 pallets" in row.inner_text()
    with _admin(served) as api:
        added = next(v for v in api.get("/api/v1/vehicles").json() if v["name"] == name)
    assert added["capacity"] == {"pallets": 12} and added["skills"] == ["refrigerated"]

    row.get_by_role("button", name=f"Edit {name}").click()
    page.get_by_test_id("vehicle-form").wait_for()
    page.get_by_label("Pallets").fill("14")
    page.get_by_label("In service").click()
    page.get_by_test_id("vehicle-save").click()
    row.get_by_text("out of service").wait_for()
    screenshot(page, f"admin-vehicles-{_name(size)}")
    with _admin(served) as api:
        stored = api.get(f"/api/v1/vehicles/{added['id']}").json()
    assert stored["capacity"] == {"pallets": 14} and stored["active"] is False


@SIZES
def test_an_admin_adds_a_driver_and_assigns_a_truck(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """A phone number with letters is refused next to the phone; the driver is added, then
    given a truck, and the API shows the assignment."""
    name = f"Lena {secrets.token_hex(2).upper()}"
    with _admin(served) as api:
        truck = api.post(
            "/api/v1/vehicles",
            json={
                "name": f"Van {secrets.token_hex(2).upper()}",
                "depot_id": served.company.depot_id,
                "capacity": {"pallets": 4},
                "shift_start": "08:00",
                "shift_end": "12:00",
            },
        ).json()
        api.patch(f"/api/v1/vehicles/{truck['id']}", json={"active": False})
    page = open_page("admin", "/admin?tab=drivers", size)
    page.get_by_test_id("driver-add").click()
    page.get_by_test_id("driver-form").wait_for()
    page.get_by_label("Driver name").fill(name)
    page.get_by_label("Driver phone").fill("call the office")
    page.get_by_test_id("driver-save").click()
    _field(page, "Driver phone").get_by_text("Not a phone number.").wait_for()
    page.get_by_label("Driver phone").fill("+423 791 22 33")
    page.get_by_test_id("driver-save").click()
    row = page.locator(f'[data-driver="{name}"]')
    row.wait_for()
    assert "no truck" in row.inner_text()

    row.get_by_role("button", name=f"Edit {name}").click()
    page.get_by_test_id("driver-form").wait_for()
    _choose(page, "driver-truck", truck["name"])
    page.get_by_test_id("driver-save").click()
    row.get_by_text(f"Truck: {truck['name']}").wait_for()
    screenshot(page, f"admin-drivers-{_name(size)}")
    with _admin(served) as api:
        stored = next(d for d in api.get("/api/v1/drivers").json() if d["name"] == name)
    assert stored["vehicle_id"] == truck["id"] and stored["phone"] == "+423 791 22 33"


@SIZES
def test_an_admin_finds_a_client_and_changes_its_priority(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """The admin searches the client, sets priority 1, a note and SMS; SMS without a phone
    is refused next to the channels first; the API then holds the new priority and note."""
    name = f"Bergbau {secrets.token_hex(3).upper()}"
    with _admin(served) as api:
        client = api.post(
            "/api/v1/clients",
            json={"name": name, "priority": 4, "contact": {"email": "ops@bergbau.example"}},
        ).json()
    page = open_page("admin", "/admin?tab=clients", size)
    page.get_by_label("Search clients").fill(name[-6:])
    page.get_by_text(re.compile(r"^1 of [\d,]+ clients$")).wait_for()
    row = page.locator(f'[data-client="{name}"]')
    assert page.locator("[data-client]").count() == 1 and row.is_visible()
    row.get_by_role("button", name=f"Edit {name}").click()
    page.get_by_test_id("client-form").wait_for()
    _choose(page, "client-priority", "1 · highest")
    _choose(page, "client-channels", "SMS")
    page.keyboard.press("Escape")
    page.get_by_label("Notes").fill("Gate code 4711.")
    page.get_by_test_id("client-save").click()
    page.get_by_text("SMS needs a phone number above.").wait_for()
    screenshot(page, f"admin-client-form-{_name(size)}")
    page.get_by_label("Phone", exact=True).fill("+423 232 44 55")
    page.get_by_test_id("client-save").click()
    row.locator('[data-priority="1"]').wait_for()
    screenshot(page, f"admin-clients-{_name(size)}")
    with _admin(served) as api:
        stored = api.get(f"/api/v1/clients/{client['id']}").json()
    assert stored["priority"] == 1 and stored["notes"] == "Gate code 4711."
    assert stored["preferences"]["channels"] == ["email", "sms"]
    assert stored["contact"]["phone"] == "+423 232 44 55"


@SIZES
def test_an_admin_creates_a_token_and_revokes_it(
    open_page: Any, served: Served, size: dict[str, int]
) -> None:
    """The new token is shown once with a copy button and signs in at once; revoking it
    asks first, and afterwards the API refuses it. Revoking one revoked meanwhile shows
    the server's refusal in the dialog."""
    label = f"Desk {secrets.token_hex(2).upper()}"
    page = open_page("admin", "/admin?tab=tokens", size)
    page.get_by_test_id("token-add").click()
    page.get_by_test_id("token-form").wait_for()
    page.get_by_test_id("token-create").click()
    _field(page, "Token name").get_by_text("Say who or what will use it").wait_for()
    page.get_by_label("Token name").fill(label)
    page.get_by_test_id("token-create").click()
    shown = page.get_by_test_id("token-secret")
    shown.wait_for()
    secret = page.get_by_label("New token").input_value()
    assert secret.startswith("flt_")
    assert shown.get_by_role("button", name="Copy token").is_visible()
    screenshot(page, f"admin-token-secret-{_name(size)}")
    page.get_by_test_id("token-done").click()
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{served.url}/api/v1/vehicles", headers=headers).status_code == 200

    row = page.locator(f'[data-token="{label}"]')
    row.wait_for()
    assert "Dispatcher" in row.inner_text() and "Created" in row.inner_text()
    screenshot(page, f"admin-tokens-{_name(size)}")
    row.get_by_role("button", name=f"Revoke {label}").click()
    page.get_by_test_id("token-revoke-confirm").wait_for()
    page.get_by_test_id("token-revoke-go").click()
    page.get_by_test_id("token-revoke-confirm").wait_for(state="hidden")
    row.wait_for(state="detached")
    assert httpx.get(f"{served.url}/api/v1/vehicles", headers=headers).status_code == 401
    page.get_by_text("Show revoked tokens").click()
    revoked = page.locator(f'[data-token="{label}"]')
    revoked.wait_for()
    assert "revoked 20" in revoked.inner_text()
    page.get_by_text("Show revoked tokens").click()
    revoked.wait_for(state="detached")

    with _admin(served) as api:
        other = api.post("/api/v1/tokens", json={"role": "agent", "name": f"{label} b"}).json()
    page.get_by_test_id("tab-drivers").click()
    page.get_by_test_id("tab-tokens").click()  # coming back reads the tokens again
    row = page.locator(f'[data-token="{label} b"]')
    row.get_by_role("button", name=f"Revoke {label} b").click()
    page.get_by_test_id("token-revoke-confirm").wait_for()
    with _admin(served) as api:
        assert api.delete(f"/api/v1/tokens/{other['id']}").status_code == 200
    page.get_by_test_id("token-revoke-go").click()
    page.get_by_text("is already revoked").wait_for()


def test_the_admin_s_own_token_cannot_be_revoked_from_the_page(
    open_page: Any, served: Served
) -> None:
    """The token the admin is signed in with is marked "you" and its Revoke is disabled."""
    page = open_page("admin", "/admin?tab=tokens")
    own = page.locator("[data-token]", has=page.get_by_text("you", exact=True))
    own.wait_for()
    assert own.get_by_role("button", name=re.compile("Revoke")).is_disabled()


def test_the_admin_console_is_not_for_a_dispatcher(open_page: Any, served: Served) -> None:
    """A dispatcher opening /admin is told it is not part of their role, and sees no form."""
    page = open_page("dispatcher", "/admin")
    page.get_by_text("This page is not part of your role.").wait_for()
    assert page.locator("input[type=file]").count() == 0


def test_an_admin_whose_token_is_revoked_meanwhile_changes_nothing_more(
    open_page: Any, served: Served
) -> None:
    """A second admin's token is revoked while their page is open: their next save is
    refused, the browser goes to sign-in, and the client they typed is not stored."""
    label = f"Deputy {secrets.token_hex(2).upper()}"
    with _admin(served) as api:
        deputy = api.post("/api/v1/tokens", json={"role": "admin", "name": label}).json()
    page = open_page(None, f"/login?token={deputy['token']}")
    page.goto(f"{served.url}/admin?tab=clients")
    page.get_by_test_id("client-add").click()
    page.get_by_test_id("client-form").wait_for()
    name = f"Never {secrets.token_hex(3).upper()}"
    page.get_by_label("Client name").fill(name)
    page.get_by_label("Email").fill("never@example.com")
    with _admin(served) as api:
        assert api.delete(f"/api/v1/tokens/{deputy['id']}").status_code == 200
    page.get_by_test_id("client-save").click()
    page.get_by_text("Sign in with the access token").wait_for()
    with _admin(served) as api:
        assert name not in {c["name"] for c in api.get("/api/v1/clients").json()}


def test_a_lost_connection_shows_the_banner_and_the_page_recovers(
    open_page: Any, served: Served
) -> None:
    """Offline, the admin sees the banner; back online it goes away and the page answers
    again (the client search still filters)."""
    page = open_page("admin", "/admin?tab=clients")
    page.get_by_text(re.compile(r"^[\d,]+ of [\d,]+ clients$")).wait_for()
    page.context.set_offline(True)
    banner = page.locator("#fl-offline")
    banner.wait_for(state="visible")
    screenshot(page, "admin-offline")
    page.context.set_offline(False)
    banner.wait_for(state="hidden")
    page.get_by_label("Search clients").fill("zzzz-nobody")
    page.get_by_text("No client matches.").wait_for()


def test_an_admin_adds_a_depot_in_the_company_s_time_zone(open_page: Any, served: Served) -> None:
    """A depot without a name or with a latitude off the globe is refused next to those
    fields; then it is added in the company's zone and listed above the vehicles."""
    name = f"Zollhof {secrets.token_hex(2).upper()}"
    page = open_page("admin", "/admin?tab=vehicles")
    page.get_by_test_id("depot-add").click()
    page.get_by_test_id("depot-form").wait_for()
    page.get_by_label("Latitude").fill("123")
    page.get_by_label("Longitude").fill("9.55")
    page.get_by_test_id("depot-save").click()
    _field(page, "Depot name").get_by_text("Give the depot a name").wait_for()
    _field(page, "Latitude").get_by_text("Degrees from -90 to 90.").wait_for()
    page.get_by_label("Depot name").fill(name)
    page.get_by_label("Latitude").fill("47.2")
    page.get_by_test_id("depot-save").click()
    page.get_by_text(f"{name} (Europe/Vaduz)", exact=False).wait_for()
    with _admin(served) as api:
        depot = next(d for d in api.get("/api/v1/depots").json() if d["name"] == name)
    assert depot["timezone"] == "Europe/Vaduz" and depot["location"]["lat"] == 47.2
