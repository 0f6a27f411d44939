"""Conversions between domain objects and table rows, written out field by field.

Events are the exception: :mod:`fleetline.store.event_codec` serialises them
generically; its two entry points are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from fleetline.domain.access import ApiToken, Role
from fleetline.domain.model import (
    Channel,
    Client,
    Contact,
    Depot,
    Driver,
    Location,
    NotificationPreferences,
    Order,
    OrderState,
    Plan,
    PlannedStop,
    PlanSource,
    PlanStatus,
    PlanWarning,
    ReasonCode,
    Route,
    TimeWindow,
    Unassigned,
    Vehicle,
    VehicleCosts,
)
from fleetline.store.event_codec import event_from_payload, event_to_payload

__all__ = ["event_from_payload", "event_to_payload"]

Row = Mapping[Any, Any]
"""A table row as a mapping from column name to value."""


# --- value objects -------------------------------------------------------------------


def windows_to_json(windows: tuple[TimeWindow, ...]) -> list[dict[str, str]]:
    """Time windows as ISO 8601 strings carrying their UTC offset."""
    return [{"start": w.start.isoformat(), "end": w.end.isoformat()} for w in windows]


def windows_from_json(data: list[dict[str, str]]) -> tuple[TimeWindow, ...]:
    """Inverse of :func:`windows_to_json`."""
    return tuple(
        TimeWindow(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in data
    )


def _time_or_none(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


# --- master data ---------------------------------------------------------------------


def depot_to_row(depot: Depot) -> dict[str, Any]:
    """Row of ``depots`` for ``depot``."""
    return {
        "id": depot.id,
        "name": depot.name,
        "lat": depot.location.lat,
        "lon": depot.location.lon,
        "timezone": depot.timezone,
    }


def depot_from_row(row: Row) -> Depot:
    """Depot from a row of ``depots``."""
    return Depot(
        id=row["id"],
        name=row["name"],
        location=Location(row["lat"], row["lon"]),
        timezone=row["timezone"],
    )


def vehicle_to_row(vehicle: Vehicle) -> dict[str, Any]:
    """Row of ``vehicles`` for ``vehicle``."""
    return {
        "id": vehicle.id,
        "name": vehicle.name,
        "depot_id": vehicle.depot_id,
        "capacity": dict(vehicle.capacity),
        "skills": sorted(vehicle.skills),
        "shift_start": vehicle.shift_start,
        "shift_end": vehicle.shift_end,
        "cost_per_km": vehicle.costs.per_km,
        "cost_per_hour": vehicle.costs.per_hour,
        "cost_overtime_per_hour": vehicle.costs.overtime_per_hour,
        "cost_fixed": vehicle.costs.fixed,
        "max_overtime_s": vehicle.max_overtime_s,
        "active": vehicle.active,
    }


def vehicle_from_row(row: Row) -> Vehicle:
    """Vehicle from a row of ``vehicles``."""
    return Vehicle(
        id=row["id"],
        name=row["name"],
        depot_id=row["depot_id"],
        capacity=dict(row["capacity"]),
        shift_start=row["shift_start"],
        shift_end=row["shift_end"],
        skills=frozenset(row["skills"]),
        costs=VehicleCosts(
            per_km=row["cost_per_km"],
            per_hour=row["cost_per_hour"],
            overtime_per_hour=row["cost_overtime_per_hour"],
            fixed=row["cost_fixed"],
        ),
        max_overtime_s=row["max_overtime_s"],
        active=bool(row["active"]),
    )


def driver_to_row(driver: Driver) -> dict[str, Any]:
    """Row of ``drivers`` for ``driver``."""
    return {
        "id": driver.id,
        "name": driver.name,
        "phone": driver.phone,
        "vehicle_id": driver.vehicle_id,
    }


def driver_from_row(row: Row) -> Driver:
    """Driver from a row of ``drivers``."""
    return Driver(id=row["id"], name=row["name"], phone=row["phone"], vehicle_id=row["vehicle_id"])


def preferences_to_json(prefs: NotificationPreferences) -> dict[str, Any]:
    """Return a client's notification preferences as JSON."""
    return {
        "channels": [c.value for c in prefs.channels],
        "locale": prefs.locale,
        "quiet_start": None if prefs.quiet_start is None else prefs.quiet_start.isoformat(),
        "quiet_end": None if prefs.quiet_end is None else prefs.quiet_end.isoformat(),
        "enabled": prefs.enabled,
    }


def preferences_from_json(data: Mapping[str, Any]) -> NotificationPreferences:
    """Inverse of :func:`preferences_to_json`."""
    return NotificationPreferences(
        channels=tuple(Channel(c) for c in data["channels"]),
        locale=data["locale"],
        quiet_start=_time_or_none(data.get("quiet_start")),
        quiet_end=_time_or_none(data.get("quiet_end")),
        enabled=bool(data["enabled"]),
    )


def client_to_row(client: Client) -> dict[str, Any]:
    """Row of ``clients`` for ``client``."""
    return {
        "id": client.id,
        "name": client.name,
        "priority": client.priority,
        "contact_email": client.contact.email,
        "contact_phone": client.contact.phone,
        "contact_webhook_url": client.contact.webhook_url,
        "preferences": preferences_to_json(client.preferences),
        "notes": client.notes,
    }


def client_from_row(row: Row) -> Client:
    """Client from a row of ``clients``."""
    return Client(
        id=row["id"],
        name=row["name"],
        priority=row["priority"],
        contact=Contact(
            email=row["contact_email"],
            phone=row["contact_phone"],
            webhook_url=row["contact_webhook_url"],
        ),
        preferences=preferences_from_json(row["preferences"]),
        notes=row["notes"],
    )


# --- orders --------------------------------------------------------------------------


def order_to_row(order: Order) -> dict[str, Any]:
    """Row of ``orders`` for ``order``, without its timestamps."""
    return {
        "id": order.id,
        "client_id": order.client_id,
        "date": order.date,
        "lat": order.location.lat,
        "lon": order.location.lon,
        "address": order.address,
        "instructions": order.instructions,
        "time_windows": windows_to_json(order.time_windows),
        "demand": dict(order.demand),
        "service_s": order.service_s,
        "required_skills": sorted(order.required_skills),
        "reference": order.reference,
        "state": order.state.value,
    }


def order_from_row(row: Row) -> Order:
    """Order from a row of ``orders``."""
    return Order(
        id=row["id"],
        client_id=row["client_id"],
        date=row["date"],
        location=Location(row["lat"], row["lon"]),
        time_windows=windows_from_json(row["time_windows"]),
        demand=dict(row["demand"]),
        service_s=row["service_s"],
        required_skills=frozenset(row["required_skills"]),
        reference=row["reference"],
        address=row["address"],
        instructions=row["instructions"],
        state=OrderState(row["state"]),
    )


# --- plans ---------------------------------------------------------------------------


def _stop_to_json(stop: PlannedStop) -> dict[str, Any]:
    return {
        "stop_id": stop.stop_id,
        "order_id": stop.order_id,
        "sequence": stop.sequence,
        "eta": stop.eta.isoformat(),
        "service_start": stop.service_start.isoformat(),
        "departure": stop.departure.isoformat(),
        "time_windows": windows_to_json(stop.time_windows),
        "load_after": dict(stop.load_after),
    }


def _stop_from_json(data: Mapping[str, Any]) -> PlannedStop:
    return PlannedStop(
        stop_id=data["stop_id"],
        order_id=data["order_id"],
        sequence=data["sequence"],
        eta=datetime.fromisoformat(data["eta"]),
        service_start=datetime.fromisoformat(data["service_start"]),
        departure=datetime.fromisoformat(data["departure"]),
        time_windows=windows_from_json(data["time_windows"]),
        load_after=dict(data["load_after"]),
    )


def _route_to_json(route: Route) -> dict[str, Any]:
    return {
        "vehicle_id": route.vehicle_id,
        "stops": [_stop_to_json(s) for s in route.stops],
        "start_at": route.start_at.isoformat(),
        "end_at": route.end_at.isoformat(),
        "distance_m": route.distance_m,
        "duration_s": route.duration_s,
        "load": dict(route.load),
        "overtime_s": route.overtime_s,
        "cost": route.cost,
    }


def _route_from_json(data: Mapping[str, Any]) -> Route:
    return Route(
        vehicle_id=data["vehicle_id"],
        stops=tuple(_stop_from_json(s) for s in data["stops"]),
        start_at=datetime.fromisoformat(data["start_at"]),
        end_at=datetime.fromisoformat(data["end_at"]),
        distance_m=data["distance_m"],
        duration_s=data["duration_s"],
        load=dict(data["load"]),
        overtime_s=data["overtime_s"],
        cost=data["cost"],
    )


def plan_to_row(plan: Plan) -> dict[str, Any]:
    """Row of ``plans`` for ``plan``; routes and unassigned orders go into ``document``."""
    return {
        "id": plan.id,
        "date": plan.date,
        "version": plan.version,
        "status": plan.status.value,
        "source": plan.source.value,
        "created_at": plan.created_at,
        "time_limit_s": plan.time_limit_s,
        "parent_id": plan.parent_id,
        "dispatched_at": plan.dispatched_at,
        "error": plan.error,
        "document": {
            "routes": [_route_to_json(r) for r in plan.routes],
            "unassigned": [
                {"order_id": u.order_id, "reason_code": u.reason_code.value, "reason": u.reason}
                for u in plan.unassigned
            ],
            "warnings": [
                {"order_id": w.order_id, "code": w.code, "message": w.message}
                for w in plan.warnings
            ],
        },
    }


def vehicles_of_orders(document: Mapping[str, Any]) -> dict[str, str]:
    """The vehicle of each order in a plan's stored ``document``, by order id."""
    return {
        str(stop["order_id"]): str(route["vehicle_id"])
        for route in document["routes"]
        for stop in route["stops"]
    }


def plan_from_row(row: Row) -> Plan:
    """Plan from a row of ``plans``."""
    document = row["document"]
    return Plan(
        id=row["id"],
        date=row["date"],
        version=row["version"],
        status=PlanStatus(row["status"]),
        source=PlanSource(row["source"]),
        created_at=row["created_at"],
        routes=tuple(_route_from_json(r) for r in document["routes"]),
        unassigned=tuple(
            Unassigned(u["order_id"], ReasonCode(u["reason_code"]), u["reason"])
            for u in document["unassigned"]
        ),
        warnings=tuple(
            PlanWarning(w["order_id"], w["code"], w["message"])
            for w in document.get("warnings", [])
        ),
        time_limit_s=row["time_limit_s"],
        parent_id=row["parent_id"],
        dispatched_at=row["dispatched_at"],
        error=row["error"],
    )


# --- access --------------------------------------------------------------------------


def token_to_row(token: ApiToken) -> dict[str, Any]:
    """Row of ``api_tokens`` for ``token``."""
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role.value,
        "token_hash": token.token_hash,
        "driver_id": token.driver_id,
        "created_at": token.created_at,
        "revoked": token.revoked,
        "revoked_at": token.revoked_at,
    }


def token_from_row(row: Row) -> ApiToken:
    """Token from a row of ``api_tokens``."""
    return ApiToken(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        token_hash=row["token_hash"],
        created_at=row["created_at"],
        driver_id=row["driver_id"],
        revoked=bool(row["revoked"]),
        revoked_at=row["revoked_at"],
    )
