"""Every number, amount and date has bounds at the API's edge: one bad value is a 422
naming its field, nothing is stored, and the company's plans keep working."""

from __future__ import annotations

from typing import Any

import pytest

from fleetline.domain.access import Role

from .conftest import DAY, Api, Company, order_body, window

STORED_DIFFERENTLY = pytest.mark.both_databases
"""JSON amounts and dates are stored differently by SQLite and PostgreSQL: the tests of what
is stored run on both; those of what is refused before any query run on SQLite."""


def _fields(response: Any) -> list[str]:
    return [detail["field"] for detail in response.json()["error"]["details"]]


def _vehicle(company: Company, **change: Any) -> dict[str, Any]:
    return {
        "name": "Truck 9",
        "depot_id": company.depot_id,
        "capacity": {"pallets": 18},
        "shift_start": "07:00",
        "shift_end": "16:00",
        **change,
    }


def _plans_the_day(api: Api) -> dict[str, Any]:
    plan = api.post("/api/v1/plans", {"date": DAY})
    assert plan.status_code in (200, 201, 202), plan.text
    return api.wait_for_plan(plan.json()["id"])


@STORED_DIFFERENTLY
@pytest.mark.parametrize("amount", [10**30, 2**63, 1_000_001])
def test_a_capacity_beyond_any_truck_is_refused_and_plans_still_work(
    api: Api, company: Company, amount: int
) -> None:
    """A capacity of 10**30 pallets (a typing error) no longer stores a truck that makes
    every later plan of the company fail: it is a 422 naming ``capacity.pallets``, on
    creation and on change, and the day still plans."""
    created = api.post("/api/v1/vehicles", _vehicle(company, capacity={"pallets": amount}))
    assert created.status_code == 422
    assert "capacity.pallets" in " ".join([*_fields(created), created.text])
    changed = api.patch(
        f"/api/v1/vehicles/{company.vehicle_ids[0]}", {"capacity": {"pallets": amount}}
    )
    assert changed.status_code == 422
    assert len(api.get("/api/v1/vehicles").json()) == 2
    assert api.get(f"/api/v1/vehicles/{company.vehicle_ids[0]}").json()["capacity"] == {
        "weight_kg": 8000,
        "pallets": 18,
    }
    api.post("/api/v1/orders", order_body(company.client_ids[0]))
    plan = _plans_the_day(api)
    assert plan["status"] != "failed", plan
    assert sum(len(route["stops"]) for route in plan["routes"]) == 1


@STORED_DIFFERENTLY
@pytest.mark.parametrize("amount", [2**63, 10**7])
def test_a_demand_beyond_any_truck_is_refused(api: Api, company: Company, amount: int) -> None:
    """An order demanding 2**63 pallets is a 422 naming ``demand.pallets``; the largest
    amount allowed is said in the message."""
    response = api.post(
        "/api/v1/orders", order_body(company.client_ids[0], demand={"pallets": amount})
    )
    assert response.status_code == 422
    assert "demand.pallets" in response.text
    assert "1,000,000" in response.text
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 0


@STORED_DIFFERENTLY
def test_the_largest_amount_allowed_is_stored(api: Api, company: Company) -> None:
    """A million kilograms is allowed; a truck that carries it is stored as typed."""
    response = api.post("/api/v1/vehicles", _vehicle(company, capacity={"weight_kg": 1_000_000}))
    assert response.status_code == 201, response.text
    assert response.json()["capacity"] == {"weight_kg": 1_000_000}


@STORED_DIFFERENTLY
@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("9999-12-31", "years 2000 to 2099"),
        ("0001-01-01", "years 2000 to 2099"),
        ("2028-01-10", "outside"),  # more than a year after the company's today
        ("2026-09-01", "outside"),  # more than 31 days before it
    ],
)
def test_an_order_day_far_from_today_is_refused(
    api: Api, company: Company, day: str, words: str
) -> None:
    """An order dated 9999-12-31 (or year 1, or years away) is a 422 naming ``date``, so it
    never reaches a plan or a client message."""
    body = order_body(
        company.client_ids[0],
        date=day,
        time_windows=[{"start": f"{day}T09:00:00+01:00", "end": f"{day}T12:00:00+01:00"}],
    )
    response = api.post("/api/v1/orders", body)
    assert response.status_code == 422, response.text
    assert any(field.endswith("date") for field in _fields(response)), response.text
    assert words in response.text
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 0


@STORED_DIFFERENTLY
def test_a_window_on_another_day_than_the_order_is_refused(api: Api, company: Company) -> None:
    """A window the day after the order's date is a 422 naming the window; a window
    changed to another day is refused the same way and the order keeps its window."""
    body = order_body(
        company.client_ids[0],
        time_windows=[
            window("09:00", "12:00"),
            {"start": "2026-11-27T09:00:00+01:00", "end": "2026-11-27T12:00:00+01:00"},
        ],
    )
    response = api.post("/api/v1/orders", body)
    assert response.status_code == 422
    assert any("time_windows[1]" in field for field in _fields(response)), response.text
    order = api.post("/api/v1/orders", order_body(company.client_ids[0])).json()
    moved = api.patch(
        f"/api/v1/orders/{order['id']}",
        {
            "time_windows": [
                {"start": "2026-12-03T09:00:00+01:00", "end": "2026-12-03T10:00:00+01:00"}
            ]
        },
    )
    assert moved.status_code == 422
    assert api.get(f"/api/v1/orders/{order['id']}").json()["time_windows"] == order["time_windows"]


@STORED_DIFFERENTLY
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "1970-01-01T00:00:00Z", 0])
def test_a_moment_outside_the_years_is_refused_everywhere(
    api: Api, company: Company, moment: Any
) -> None:
    """A position, a stop report, a truck report or an incident stamped in year 1 or 1970
    (a device whose clock was reset) is a 422 naming the field, never a server error."""
    vehicle = company.vehicle_ids[0]
    order = api.post("/api/v1/orders", order_body(company.client_ids[0])).json()
    position = {"vehicle_id": vehicle, "lat": 47.1, "lon": 9.5, "recorded_at": moment}
    answers = {
        "positions[0].recorded_at": api.post(
            "/api/v1/telemetry/positions", {"positions": [position]}
        ),
        "at": api.post(f"/api/v1/stops/{order['id']}/events", {"type": "arrived", "at": moment}),
        "at ": api.post(f"/api/v1/vehicles/{vehicle}/events", {"type": "breakdown", "at": moment}),
        "starts_at": api.post(
            "/api/v1/traffic/incidents",
            {
                "kind": "closure",
                "area": {"center": {"lat": 47.1, "lon": 9.5}, "radius_m": 200},
                "starts_at": moment,
            },
        ),
    }
    for field, response in answers.items():
        assert response.status_code == 422, (field, response.text)
        assert field.strip() in " ".join(_fields(response)), (field, response.text)
    assert api.get(f"/api/v1/vehicles/{vehicle}").json()["active"] is True


@STORED_DIFFERENTLY
def test_an_osmand_timestamp_in_year_1_is_refused(api: Api, company: Company) -> None:
    """A tracker sending ``timestamp=0001-01-01T00:00:00+01:00`` gets a 422 naming
    ``timestamp``; one sending unix time 0 (1970) too."""
    for stamp in ("0001-01-01T00:00:00+01:00", "0"):
        response = api.client.post(
            "/api/v1/telemetry/osmand",
            params={"id": company.vehicle_ids[0], "lat": "47.1", "lon": "9.5", "timestamp": stamp},
            headers=api.headers(Role.DISPATCHER),
        )
        assert response.status_code == 422, response.text
        assert "timestamp" in _fields(response)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/orders", "/api/v1/live", "/api/v1/kpis", "/api/v1/exceptions", "/api/v1/plans"],
)
@pytest.mark.parametrize("day", ["0", "20261126", "9999-12-31"])
def test_a_day_in_a_query_is_written_as_a_day(api: Api, path: str, day: str) -> None:
    """``?date=0`` is not read as 1970-01-01: a day in a query is ``YYYY-MM-DD`` within the
    years Fleetline works in, else a 422 naming ``date``."""
    response = api.get(path, date=day)
    assert response.status_code == 422, response.text
    assert "date" in _fields(response)


def test_a_path_id_that_is_not_an_id_is_refused_before_any_query(api: Api) -> None:
    """Ids in paths are letters, digits and ``_ . : -``: anything else (spaces, quotes,
    unicode, 65 characters) is a 422 naming the id, on every kind of id."""
    for path in (
        "/api/v1/orders/a b",
        "/api/v1/orders/x'--",
        "/api/v1/clients/ünicode",
        f"/api/v1/vehicles/{'v' * 65}",
        "/api/v1/plans/%20",
    ):
        response = api.get(path)
        assert response.status_code == 422, (path, response.text)
        assert _fields(response)[0].endswith("_id"), response.text


@pytest.mark.parametrize("value", [True, "47.1", None])
def test_a_coordinate_is_a_number_not_a_flag_or_text(
    api: Api, company: Company, value: Any
) -> None:
    """``"lat": true`` was stored as 1.0: a coordinate that is not a JSON number is a 422
    naming it, for an order's location and a truck's position alike."""
    order = api.post(
        "/api/v1/orders", order_body(company.client_ids[0], location={"lat": value, "lon": 9.5})
    )
    assert order.status_code == 422
    assert "location.lat" in _fields(order)
    position = {
        "vehicle_id": company.vehicle_ids[0],
        "lat": value,
        "lon": 9.5,
        "recorded_at": "2026-11-26T09:00:00+01:00",
    }
    sent = api.post("/api/v1/telemetry/positions", {"positions": [position]})
    assert sent.status_code == 422
    assert "positions[0].lat" in _fields(sent)
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 0


def test_an_email_address_with_a_line_break_is_refused(api: Api) -> None:
    """An address carrying CRLF (a header injection attempt, or a pasted list) is a 422
    naming ``contact.email``, not a client whose every message is later parked."""
    response = api.post(
        "/api/v1/clients",
        {"name": "Meier", "priority": 2, "contact": {"email": "a@b.li\r\nBcc: all@x.li"}},
        role=Role.ADMIN,
    )
    assert response.status_code == 422
    assert "contact.email" in " ".join(_fields(response))
    assert api.get("/api/v1/clients", role=Role.ADMIN).json() == []
