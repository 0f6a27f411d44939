"""An API client on a fresh database (SQLite and PostgreSQL) with a token per role."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fleetline.api.app import create_app
from fleetline.bootstrap import Services, bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.access import Role
from fleetline.network.factory import travel_times_for
from fleetline.operations.access import issue_token
from fleetline.settings import Settings

DAY = "2026-11-26"
START = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


@dataclass
class Api:
    """A test client that speaks as one role at a time."""

    client: TestClient
    tokens: dict[Role, str]
    services: Services

    def headers(self, role: Role, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def post(self, path: str, body: Any, role: Role = Role.DISPATCHER, key: str | None = None):
        return self.client.post(path, json=body, headers=self.headers(role, key))

    def get(self, path: str, role: Role = Role.DISPATCHER, **params: Any):
        return self.client.get(path, params=params, headers=self.headers(role))

    def patch(self, path: str, body: Any, role: Role = Role.DISPATCHER):
        return self.client.patch(path, json=body, headers=self.headers(role))

    def wait_for_plan(self, plan_id: str, timeout_s: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            plan = self.get(f"/api/v1/plans/{plan_id}").json()
            if plan["status"] != "solving" or time.monotonic() > deadline:
                return plan
            time.sleep(0.05)


def bounded_settings(database_url: str, **changes: Any) -> Settings:
    """Settings whose searches stop after a fixed number of iterations, not the clock.

    A day plan stops after 1,000 iterations and a what-if after 300 (the time limits
    stay as a bound): the answers repeat, on a busy machine too, and take milliseconds
    for a test's few stops. Day plans solve in the planner thread.
    """
    fields: dict[str, Any] = {
        "database_url": database_url,
        "solver_processes": 0,
        "solver_time_limit_s": 5.0,
        "solver_max_iterations": 1000,
        "options_max_iterations": 300,
    }
    fields.update(changes)
    return Settings(**fields)


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    settings = bounded_settings(database_url)
    clock = FixedClock(START)
    services = bootstrap(
        settings,
        clock=clock,
        travel_times=travel_times_for(None, clock=clock),
        recover=False,
        live_refresh=False,
    )
    tokens: dict[Role, str] = {}
    driver_id = None
    with services.uow_factory() as uow:
        for role in (Role.ADMIN, Role.DISPATCHER, Role.AGENT, Role.INTEGRATION):
            tokens[role], _ = issue_token(uow, services.bus.context, role, role.value)
        uow.commit()
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        api = Api(client, tokens, services)
        driver = api.post("/api/v1/drivers", {"name": "Dora Driver"}).json()
        driver_id = driver["id"]
        with services.uow_factory() as uow:
            tokens[Role.DRIVER], _ = issue_token(
                uow, services.bus.context, Role.DRIVER, "driver", driver_id
            )
            uow.commit()
        yield api
    services.close(stop_shared_workers=False)


def window(start: str, end: str) -> dict[str, str]:
    return {"start": f"{DAY}T{start}:00+01:00", "end": f"{DAY}T{end}:00+01:00"}


def order_body(client_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_id": client_id,
        "date": DAY,
        "location": {"lat": 47.14, "lon": 9.52},
        "time_windows": [window("09:00", "12:00")],
        "demand": {"weight_kg": 120, "pallets": 1},
        "service_s": 300,
    }
    body.update(overrides)
    return body


@dataclass
class Company:
    depot_id: str
    vehicle_ids: list[str]
    client_ids: list[str]


@pytest.fixture
def company(api: Api) -> Company:
    depot = api.post(
        "/api/v1/depots",
        {"name": "Schaan", "location": {"lat": 47.17, "lon": 9.50}, "timezone": "Europe/Vaduz"},
    ).json()
    vehicles = [
        api.post(
            "/api/v1/vehicles",
            {
                "name": f"Truck {n}",
                "depot_id": depot["id"],
                "capacity": {"weight_kg": 8000, "pallets": 18},
                "shift_start": "07:00",
                "shift_end": "16:00",
                "skills": ["tail_lift"] if n == 1 else [],
            },
        ).json()["id"]
        for n in (1, 2)
    ]
    clients = [
        api.post("/api/v1/clients", {"name": f"Client {p}", "priority": p}).json()["id"]
        for p in (1, 3, 5)
    ]
    return Company(depot["id"], vehicles, clients)
