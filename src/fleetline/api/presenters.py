"""Domain objects as API v1 bodies."""

from __future__ import annotations

from typing import Any

from fleetline.domain.model import (
    Client,
    Depot,
    Driver,
    Order,
    Plan,
    Route,
    TimeWindow,
    Vehicle,
)


def location(lat: float, lon: float) -> dict[str, float]:
    """A location body."""
    return {"lat": lat, "lon": lon}


def windows(time_windows: tuple[TimeWindow, ...]) -> list[dict[str, str]]:
    """Time windows as ISO 8601 with offsets."""
    return [{"start": w.start.isoformat(), "end": w.end.isoformat()} for w in time_windows]


def depot(d: Depot) -> dict[str, Any]:
    """A depot body."""
    return {
        "id": d.id,
        "name": d.name,
        "location": location(d.location.lat, d.location.lon),
        "timezone": d.timezone,
    }


def vehicle(v: Vehicle) -> dict[str, Any]:
    """A vehicle body."""
    return {
        "id": v.id,
        "name": v.name,
        "depot_id": v.depot_id,
        "capacity": dict(v.capacity),
        "shift_start": v.shift_start.strftime("%H:%M"),
        "shift_end": v.shift_end.strftime("%H:%M"),
        "skills": sorted(v.skills),
        "costs": {
            "per_km": v.costs.per_km,
            "per_hour": v.costs.per_hour,
            "overtime_per_hour": v.costs.overtime_per_hour,
            "fixed": v.costs.fixed,
        },
        "max_overtime_s": v.max_overtime_s,
        "active": v.active,
    }


def driver(d: Driver) -> dict[str, Any]:
    """A driver body."""
    return {"id": d.id, "name": d.name, "phone": d.phone, "vehicle_id": d.vehicle_id}


def client(c: Client) -> dict[str, Any]:
    """A client body."""
    prefs = c.preferences
    return {
        "id": c.id,
        "name": c.name,
        "priority": c.priority,
        "contact": {
            "email": c.contact.email,
            "phone": c.contact.phone,
            "webhook_url": c.contact.webhook_url,
        },
        "preferences": {
            "channels": [str(channel) for channel in prefs.channels],
            "locale": prefs.locale,
            "quiet_start": prefs.quiet_start.strftime("%H:%M") if prefs.quiet_start else None,
            "quiet_end": prefs.quiet_end.strftime("%H:%M") if prefs.quiet_end else None,
            "enabled": prefs.enabled,
        },
        "notes": c.notes,
    }


def order(o: Order) -> dict[str, Any]:
    """An order body."""
    return {
        "id": o.id,
        "client_id": o.client_id,
        "date": o.date.isoformat(),
        "location": location(o.location.lat, o.location.lon),
        "time_windows": windows(o.time_windows),
        "demand": dict(o.demand),
        "service_s": o.service_s,
        "required_skills": sorted(o.required_skills),
        "reference": o.reference,
        "address": o.address,
        "instructions": o.instructions,
        "state": o.state.value,
    }


def route(r: Route) -> dict[str, Any]:
    """A route body with its stops."""
    return {
        "vehicle_id": r.vehicle_id,
        "stops": [
            {
                "stop_id": s.stop_id,
                "order_id": s.order_id,
                "sequence": s.sequence,
                "eta": s.eta.isoformat(),
                "service_start": s.service_start.isoformat(),
                "departure": s.departure.isoformat(),
                "time_windows": windows(s.time_windows),
                "load_after": dict(s.load_after),
            }
            for s in r.stops
        ],
        "start_at": r.start_at.isoformat(),
        "end_at": r.end_at.isoformat(),
        "distance_m": r.distance_m,
        "duration_s": r.duration_s,
        "load": dict(r.load),
        "overtime_s": r.overtime_s,
        "cost": round(r.cost, 2),
    }


def plan(p: Plan, live: bool) -> dict[str, Any]:
    """A plan version with its routes."""
    return {
        **plan_summary(p, live),
        "dispatched_at": p.dispatched_at.isoformat() if p.dispatched_at else None,
        "parent_id": p.parent_id,
        "error": p.error,
        "routes": [route(r) for r in p.routes],
        "unassigned": [
            {"order_id": u.order_id, "reason_code": u.reason_code.value, "reason": u.reason}
            for u in p.unassigned
        ],
        "warnings": [
            {"order_id": w.order_id, "code": w.code, "message": w.message} for w in p.warnings
        ],
        "cost": round(p.cost, 2),
    }


def plan_summary(p: Plan, live: bool) -> dict[str, Any]:
    """A plan version without its routes (routes and unassigned counted in ``list``)."""
    return {
        "id": p.id,
        "date": p.date.isoformat(),
        "version": p.version,
        "status": p.status.value,
        "source": p.source.value,
        "live": live,
        "created_at": p.created_at.isoformat(),
        "distance_m": p.distance_m,
    }
