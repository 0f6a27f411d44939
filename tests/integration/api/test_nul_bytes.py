"""A NUL byte in an address is refused with a 422 naming where it was, and changes nothing."""

from __future__ import annotations

import pytest

from fleetline.domain.access import Role

from ..api_client import Api, Company, order_body

pytestmark = pytest.mark.both_databases  # PostgreSQL is the database that cannot hold a NUL


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("GET", "/api/v1/orders/a%00b", Role.DISPATCHER),
        ("GET", "/api/v1/orders/a%00b/status", Role.AGENT),
        ("GET", "/api/v1/clients/a%00b", Role.DISPATCHER),
        ("GET", "/api/v1/vehicles/a%00b", Role.DISPATCHER),
        ("GET", "/api/v1/plans/a%00b", Role.DISPATCHER),
        ("GET", "/api/v1/exceptions/a%00b", Role.DISPATCHER),
        ("DELETE", "/api/v1/tokens/a%00b", Role.ADMIN),
    ],
)
def test_a_nul_in_a_path_is_a_422_naming_the_path(
    api: Api, method: str, path: str, role: Role
) -> None:
    """`/orders/a%00b` and the like answer 422 (not 500), and the next request works."""
    response = api.client.request(method, path, headers=api.headers(role))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == "path"
    assert api.get("/api/v1/vehicles").status_code == 200


def test_a_nul_in_a_query_names_the_parameter(api: Api) -> None:
    """`?order_id=a%00b` names `order_id`."""
    response = api.client.get(
        "/api/v1/notifications?order_id=a%00b", headers=api.headers(Role.DISPATCHER)
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "order_id"


def test_a_stop_report_with_a_nul_stores_nothing(api: Api, company: Company) -> None:
    """A report to `/stops/a%00b/events` changes nothing; the order stays as it was."""
    order = api.post("/api/v1/orders", order_body(company.client_ids[0])).json()
    before = api.get(f"/api/v1/orders/{order['id']}").json()
    response = api.client.post(
        "/api/v1/stops/a%00b/events",
        json={"type": "arrived", "at": "2026-11-26T09:00:00+01:00"},
        headers=api.headers(Role.DRIVER),
    )
    assert response.status_code == 422
    assert api.get(f"/api/v1/orders/{order['id']}").json() == before


def test_a_nul_in_a_body_is_a_422_naming_the_field_and_plans_nothing(api: Api) -> None:
    """A plan import whose truck is ``"\\u0000"`` (PostgreSQL cannot compare such text: it
    was a 500) is a 422 naming ``routes[0].vehicle_id``, and no plan is made."""
    response = api.post(
        "/api/v1/plans",
        {"date": "2026-11-26", "routes": [{"vehicle_id": "\u0000", "stops": []}]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "routes[0].vehicle_id"
    assert response.json()["error"]["message"] == "routes[0].vehicle_id: contains a NUL byte"
    assert api.get("/api/v1/plans", date="2026-11-26").json() == []


def test_a_nul_in_an_order_batch_names_the_order_and_stores_none(
    api: Api, company: Company
) -> None:
    """In a batch, a NUL in the third order's reference names ``[2].reference``; no order
    of the batch is stored."""
    batch = [order_body(company.client_ids[0], reference=f"N-{n}") for n in range(3)]
    batch[2]["reference"] = "N-\u00002"
    response = api.post("/api/v1/orders", batch)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "[2].reference"
    assert api.get("/api/v1/orders", date="2026-11-26").json()["total"] == 0


def test_text_that_spells_a_backslash_u_is_ordinary_text(api: Api, company: Company) -> None:
    """A reference that spells the six characters ``\\u0000`` holds no NUL: it is stored as
    typed."""
    body = order_body(company.client_ids[0], reference="\\u0000")
    response = api.post("/api/v1/orders", body)
    assert response.status_code == 201, response.text
    assert response.json()["reference"] == "\\u0000"
