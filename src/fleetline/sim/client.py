"""The simulator's side of the public HTTP API: seeding, planning and reading the day.

Everything goes through ``/api/v1`` with a bearer token already set on the client, as a
real integrator's, device's or dispatcher's would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from fleetline.domain import commands
from fleetline.sim.company import (
    CompanySpec,
    client_commands,
    order_drafts,
    vehicle_commands,
)


class SimulationFailed(RuntimeError):
    """The system refused something the simulation cannot do without."""


@dataclass(slots=True)
class FleetApi:
    """A thin client of API v1 that keeps count of refused reports.

    Parameters
    ----------
    http
        An ``httpx.Client`` (or FastAPI's ``TestClient``) with the base URL and the
        ``Authorization`` header set.
    """

    http: httpx.Client
    refused: list[str] = field(default_factory=list)
    requests: int = 0

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        """Send one request; never raises on an error status."""
        self.requests += 1
        return self.http.request(method, path, json=body, params=params or None)

    def need(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """Send one request that must succeed; return its JSON answer."""
        response = self.call(method, path, body, **params)
        if response.status_code >= 400:
            raise SimulationFailed(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def report(self, method: str, path: str, body: Any = None) -> bool:
        """Send a report the system may refuse (a conflict); note the refusal."""
        response = self.call(method, path, body)
        if response.status_code >= 500:
            raise SimulationFailed(f"{method} {path}: {response.status_code} {response.text[:300]}")
        if response.status_code >= 400:
            self.refused.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            return False
        return True

    def orders_of(self, day: date) -> list[dict[str, Any]]:
        """Every order of a day, page after page."""
        found: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = self.need("GET", "/api/v1/orders", date=day.isoformat(), offset=offset)
            found.extend(page["orders"])
            offset = page["next_offset"]
        return found


def _vehicle_body(command: commands.CreateVehicle) -> dict[str, Any]:
    return {
        "name": command.name,
        "depot_id": command.depot_id,
        "capacity": dict(command.capacity),
        "shift_start": command.shift_start.strftime("%H:%M"),
        "shift_end": command.shift_end.strftime("%H:%M"),
        "skills": sorted(command.skills),
        "costs": {
            "per_km": command.costs.per_km,
            "per_hour": command.costs.per_hour,
            "overtime_per_hour": command.costs.overtime_per_hour,
            "fixed": command.costs.fixed,
        },
    }


def _order_body(draft: commands.OrderDraft) -> dict[str, Any]:
    return {
        "client_id": draft.client_id,
        "date": draft.date.isoformat(),
        "location": {"lat": draft.location.lat, "lon": draft.location.lon},
        "time_windows": [
            {"start": w.start.isoformat(), "end": w.end.isoformat()} for w in draft.time_windows
        ],
        "demand": dict(draft.demand),
        "service_s": draft.service_s,
        "required_skills": sorted(draft.required_skills),
        "reference": draft.reference,
        "address": draft.address,
        "instructions": draft.instructions,
    }


def seed_over_api(api: FleetApi, spec: CompanySpec) -> None:
    """Create the synthetic company and its day through the API, as an integrator would."""
    area = spec.area
    depot = api.need(
        "POST",
        "/api/v1/depots",
        {
            "name": "Schaan depot",
            "location": {"lat": area.depot.lat, "lon": area.depot.lon},
            "timezone": area.timezone,
        },
    )
    for number, command in enumerate(vehicle_commands(spec, depot["id"]), start=1):
        vehicle = api.need("POST", "/api/v1/vehicles", _vehicle_body(command))
        api.need(
            "POST", "/api/v1/drivers", {"name": f"Driver {number:02d}", "vehicle_id": vehicle["id"]}
        )
    client_ids = []
    for client in client_commands(spec):
        body = {
            "name": client.name,
            "priority": client.priority,
            "contact": {"email": client.contact.email, "phone": client.contact.phone},
            "notes": client.notes,
        }
        client_ids.append(api.need("POST", "/api/v1/clients", body)["id"])
    drafts = order_drafts(spec, client_ids)
    for start in range(0, len(drafts), 1000):
        api.need("POST", "/api/v1/orders", [_order_body(d) for d in drafts[start : start + 1000]])


def plan_and_dispatch(
    api: FleetApi,
    day: date,
    time_limit_s: float,
    routes: list[dict[str, Any]] | None = None,
    timeout_s: float = 600,
) -> dict[str, Any]:
    """Plan the day (or import ``routes`` as they are), wait for it, and dispatch it.

    Returns
    -------
    dict
        The dispatched plan as ``GET /api/v1/plans/{id}`` shows it.
    """
    body: dict[str, Any] = {"date": day.isoformat(), "time_limit_s": time_limit_s}
    if routes is not None:
        body = {"date": day.isoformat(), "routes": routes}
    accepted = api.need("POST", "/api/v1/plans", body)
    deadline = time.monotonic() + timeout_s
    while True:
        plan: dict[str, Any] = api.need("GET", f"/api/v1/plans/{accepted['id']}")
        if plan["status"] != "solving":
            break
        if time.monotonic() > deadline:
            raise SimulationFailed(
                f"the plan {accepted['id']} was still solving after {timeout_s} s"
            )
        time.sleep(0.05)
    if plan["status"] != "ready":
        raise SimulationFailed(f"the plan {plan['id']} is {plan['status']}: {plan.get('error')}")
    dispatched: dict[str, Any] = api.need("POST", f"/api/v1/plans/{plan['id']}/dispatch")
    return dispatched
