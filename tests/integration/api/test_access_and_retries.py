"""Tokens and roles; retried writes; bulk orders; the published contract."""

from __future__ import annotations

import pytest

from fleetline.domain.access import Role

from .conftest import DAY, Api, Company, order_body

pytestmark = pytest.mark.both_databases  # idempotency and bulk inserts meet each database's limits

API_MD_PATHS = {
    ("post", "/api/v1/depots"),
    ("post", "/api/v1/vehicles"),
    ("post", "/api/v1/drivers"),
    ("post", "/api/v1/clients"),
    ("post", "/api/v1/orders"),
    ("get", "/api/v1/orders"),
    ("get", "/api/v1/orders/{order_id}"),
    ("patch", "/api/v1/orders/{order_id}"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans/{plan_id}"),
    ("post", "/api/v1/plans/{plan_id}/dispatch"),
}


def test_every_call_needs_a_valid_token(api: Api) -> None:
    """No token, a malformed header or an unknown token is a 401; nothing leaks."""
    assert api.client.get("/api/v1/depots").status_code == 401
    bad_scheme = api.client.get("/api/v1/depots", headers={"Authorization": "Basic abc"})
    assert bad_scheme.status_code == 401
    unknown = api.client.get("/api/v1/depots", headers={"Authorization": "Bearer flt_guess"})
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "unauthorized"


def test_roles_limit_what_a_token_may_do(api: Api, company: Company) -> None:
    """An agent reads orders but cannot add vehicles; a driver sees no company data."""
    order = api.post("/api/v1/orders", order_body(company.client_ids[0])).json()
    assert api.get(f"/api/v1/orders/{order['id']}", role=Role.AGENT).status_code == 200
    vehicle = {
        "name": "X",
        "depot_id": company.depot_id,
        "capacity": {"pallets": 1},
        "shift_start": "07:00",
        "shift_end": "16:00",
    }
    assert api.post("/api/v1/vehicles", vehicle, role=Role.AGENT).status_code == 403
    assert api.get(f"/api/v1/orders/{order['id']}", role=Role.DRIVER).status_code == 403
    assert api.get("/api/v1/clients", role=Role.DRIVER).status_code == 403
    assert len(api.get("/api/v1/vehicles").json()) == 2


def test_a_retried_write_is_applied_once(api: Api, company: Company) -> None:
    """A client that retries after a timeout with the same Idempotency-Key gets the same
    answer and one order, not two; the same key with another body is refused."""
    body = order_body(company.client_ids[0], reference="RETRY-1")
    first = api.post("/api/v1/orders", body, key="k-1")
    second = api.post("/api/v1/orders", body, key="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 1
    other = api.post("/api/v1/orders", {**body, "service_s": 900}, key="k-1")
    assert other.status_code == 409
    assert other.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    assert api.get("/api/v1/orders", date=DAY).json()["total"] == 1


def test_a_failed_write_does_not_burn_its_key(api: Api, company: Company) -> None:
    """A write refused for bad input stores nothing under its key, so the corrected retry
    with the same key goes through."""
    bad = api.post("/api/v1/orders", order_body("cli_unknown"), key="k-2")
    assert bad.status_code == 422
    good = api.post("/api/v1/orders", order_body(company.client_ids[0]), key="k-2")
    assert good.status_code == 201


def test_five_thousand_orders_in_one_call(api: Api, company: Company) -> None:
    """A day's 5,000 orders go in one call and read back in pages of 1,000."""
    batch = [
        order_body(
            company.client_ids[i % 3],
            reference=f"BULK-{i:05d}",
            location={"lat": 47.05 + (i % 100) * 0.0015, "lon": 9.48 + (i // 100) * 0.002},
        )
        for i in range(5000)
    ]
    response = api.post("/api/v1/orders", batch)
    assert response.status_code == 201, response.text[:500]
    assert len(response.json()) == 5000
    seen: set[str] = set()
    offset: int | None = 0
    while offset is not None:
        page = api.get("/api/v1/orders", date=DAY, offset=offset).json()
        assert len(page["orders"]) <= 1000
        seen.update(order["reference"] for order in page["orders"])
        offset = page["next_offset"]
    assert len(seen) == 5000 and page["total"] == 5000


def test_the_openapi_schema_publishes_the_contract(api: Api) -> None:
    """Every path of API.md is in /openapi.json, with bearer auth and error shapes."""
    schema = api.client.get("/openapi.json").json()
    published = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert published >= API_MD_PATHS
    create_order = schema["paths"]["/api/v1/orders"]["post"]
    assert "422" in create_order["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in create_order["parameters"])
