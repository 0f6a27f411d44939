"""Bad input gets a 4xx that names the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest

from fleetline.domain.access import Role

from .conftest import DAY, Api, Company, order_body, window

pytestmark = pytest.mark.both_databases  # what a database refuses (NUL, lengths, ranges) differs

DEPOT = {"name": "Schaan", "location": {"lat": 47.17, "lon": 9.50}, "timezone": "Europe/Vaduz"}


def _fields(response: Any) -> list[str]:
    return [detail["field"] for detail in response.json()["error"]["details"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"location": {"lat": 91, "lon": 9.5}}, "location.lat"),
        ({"location": {"lat": 47.1, "lon": -181}}, "location.lon"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_depot_is_refused_naming_the_field(
    api: Api, change: dict[str, Any], field: str
) -> None:
    """Out-of-range coordinates, an unknown time zone, an empty name or an unknown field
    are refused with 422 naming it, and no depot is created."""
    response = api.post("/api/v1/depots", {**DEPOT, **change})
    assert response.status_code == 422
    assert field in _fields(response)
    assert api.get("/api/v1/depots").json() == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"time_windows": [window("12:00", "09:00")]}, "time_windows[0].end", "before it starts"),
        (
            {"time_windows": [{"start": f"{DAY}T09:00:00", "end": f"{DAY}T10:00:00"}]},
            "time_windows[0].start",
            "timezone",
        ),
        ({"time_windows": []}, "time_windows", "at least 1"),
        ({"demand": {"pallets": -1}}, "demand", "demand.pallets"),
        ({"demand": {"bananas": 3}}, "demand", "unknown load dimension"),
        ({"service_s": -5}, "service_s", "greater than or equal"),
        ({"date": "2026-13-01"}, "date", "date"),
        ({"client_id": "cli_nobody"}, "client_id", "not found"),
    ],
)
def test_a_bad_order_is_refused_naming_the_field(
    api: Api, company: Company, change: dict[str, Any], field: str, words: str
) -> None:
    """Each broken rule of an order answers 4xx with the field and a readable reason."""
    response = api.post("/api/v1/orders", {**order_body(company.client_ids[0]), **change})
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert field in _fields(response)
    assert words in error["message"] + " ".join(d["message"] for d in error["details"])
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 0


def test_one_bad_order_in_a_batch_stores_none(api: Api, company: Company) -> None:
    """A batch with an unknown client in its fourth order is refused as a whole, pointing
    at that order, so an integrator can fix it and send the batch again."""
    batch = [order_body(company.client_ids[0], reference=f"B-{i}") for i in range(6)]
    batch[3]["client_id"] = "cli_unknown"
    response = api.post("/api/v1/orders", batch)
    assert response.status_code == 422
    assert _fields(response) == ["[3].client_id"]
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 0


def test_a_duplicate_client_reference_is_refused(api: Api, company: Company) -> None:
    """A client's order reference is unique: sending PO-1 twice (in one batch or later)
    is a 409 naming the reference, and the first order is untouched."""
    first = api.post("/api/v1/orders", order_body(company.client_ids[0], reference="PO-1"))
    assert first.status_code == 201
    again = api.post("/api/v1/orders", order_body(company.client_ids[0], reference="PO-1"))
    assert again.status_code == 409
    assert _fields(again) == ["reference"]
    twice = api.post(
        "/api/v1/orders",
        [
            order_body(company.client_ids[1], reference="PO-2"),
            order_body(company.client_ids[1], reference="PO-2"),
        ],
    )
    assert twice.status_code == 409
    assert _fields(twice) == ["[1].reference"]
    other_client = api.post("/api/v1/orders", order_body(company.client_ids[1], reference="PO-1"))
    assert other_client.status_code == 201
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"depot_id": "dep_nowhere"}, "depot_id"),
        ({"capacity": {"pallets": -2}}, "capacity"),
        ({"capacity": {}}, "capacity"),
        ({"shift_start": "25:00"}, "shift_start"),
        ({"shift_end": "06:00"}, "shift_end"),
    ],
)
def test_a_bad_vehicle_is_refused_naming_the_field(
    api: Api, company: Company, change: dict[str, Any], field: str
) -> None:
    """An unknown depot, a negative or empty capacity, an impossible or inverted shift."""
    body = {
        "name": "Truck 9",
        "depot_id": company.depot_id,
        "capacity": {"pallets": 18},
        "shift_start": "07:00",
        "shift_end": "16:00",
        **change,
    }
    response = api.post("/api/v1/vehicles", body)
    assert response.status_code == 422
    assert field in _fields(response)
    assert len(api.get("/api/v1/vehicles").json()) == 2


def test_malformed_json_is_a_4xx(api: Api) -> None:
    """A body that is not JSON at all is refused, not a server error."""
    response = api.client.post(
        "/api/v1/depots",
        content=b"{not json",
        headers={**api.headers(Role.ADMIN), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_a_bad_plan_request_is_refused(api: Api) -> None:
    """A plan for a date that is not a date, or with a negative time limit, is refused."""
    assert _fields(api.post("/api/v1/plans", {"date": "tomorrow"})) == ["date"]
    assert _fields(api.post("/api/v1/plans", {"date": DAY, "time_limit_s": -1})) == ["time_limit_s"]
    assert api.get("/api/v1/plans", date=DAY).json() == []


def test_changing_an_order_only_changes_what_is_given(api: Api, company: Company) -> None:
    """A client's new window replaces the old one; demand and the rest stay; a window
    that ends before it starts is refused and the order keeps its windows."""
    order = api.post("/api/v1/orders", order_body(company.client_ids[0])).json()
    changed = api.patch(
        f"/api/v1/orders/{order['id']}",
        {"time_windows": [window("13:00", "15:00")]},
        role=Role.AGENT,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["time_windows"] == [
        {"start": f"{DAY}T13:00:00+01:00", "end": f"{DAY}T15:00:00+01:00"}
    ]
    assert changed.json()["demand"] == order["demand"]
    bad = api.patch(f"/api/v1/orders/{order['id']}", {"time_windows": [window("15:00", "13:00")]})
    assert bad.status_code == 422
    assert (
        api.get(f"/api/v1/orders/{order['id']}").json()["time_windows"]
        == changed.json()["time_windows"]
    )
    assert api.patch("/api/v1/orders/ord_missing", {"service_s": 60}).status_code == 404
