"""Conversions between the live day's domain objects and table rows, field by field.

Areas, affected orders and exception options are JSON documents inside their rows;
times inside documents are ISO 8601 strings carrying their UTC offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fleetline.domain.live import (
    AffectedOrder,
    Area,
    ExceptionKind,
    ExceptionOption,
    ExceptionStatus,
    FailureReason,
    Impact,
    IncidentKind,
    OperationalException,
    Risk,
    StopEvent,
    StopEventType,
    TrafficIncident,
    VehicleState,
    VehicleStatus,
)
from fleetline.domain.model import Location
from fleetline.store.serialization import Row


def _time_to_json(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _time_from_json(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# --- vehicles and stops --------------------------------------------------------------


def vehicle_state_to_row(state: VehicleState) -> dict[str, Any]:
    """Row of ``vehicle_states`` for ``state``."""
    return {
        "vehicle_id": state.vehicle_id,
        "status": state.status.value,
        "since": state.since,
        "note": state.note,
    }


def vehicle_state_from_row(row: Row) -> VehicleState:
    """Vehicle state from a row of ``vehicle_states``."""
    return VehicleState(
        vehicle_id=row["vehicle_id"],
        status=VehicleStatus(row["status"]),
        since=row["since"],
        note=row["note"],
    )


def stop_event_to_row(event: StopEvent) -> dict[str, Any]:
    """Row of ``stop_events`` for ``event``."""
    return {
        "id": event.id,
        "order_id": event.order_id,
        "vehicle_id": event.vehicle_id,
        "type": event.type.value,
        "at": event.at,
        "recorded_at": event.recorded_at,
        "reason": None if event.reason is None else event.reason.value,
        "note": event.note,
        "proof": event.proof,
    }


def stop_event_from_row(row: Row) -> StopEvent:
    """Stop event from a row of ``stop_events``."""
    return StopEvent(
        id=row["id"],
        order_id=row["order_id"],
        vehicle_id=row["vehicle_id"],
        type=StopEventType(row["type"]),
        at=row["at"],
        recorded_at=row["recorded_at"],
        reason=None if row["reason"] is None else FailureReason(row["reason"]),
        note=row["note"],
        proof=row["proof"],
    )


# --- traffic -------------------------------------------------------------------------


def area_to_json(area: Area) -> dict[str, Any]:
    """An area as ``{"center": [lat, lon], "radius_m": r}`` or ``{"polygon": [[lat, lon]...]}``."""
    if area.polygon:
        return {"polygon": [[corner.lat, corner.lon] for corner in area.polygon]}
    assert area.center is not None  # a circle has a centre (checked by Area itself)
    return {"center": [area.center.lat, area.center.lon], "radius_m": area.radius_m}


def area_from_json(data: Mapping[str, Any]) -> Area:
    """Inverse of :func:`area_to_json`."""
    if "polygon" in data:
        return Area(polygon=tuple(Location(lat, lon) for lat, lon in data["polygon"]))
    lat, lon = data["center"]
    return Area(center=Location(lat, lon), radius_m=data["radius_m"])


def incident_to_row(incident: TrafficIncident) -> dict[str, Any]:
    """Row of ``traffic_incidents`` for ``incident``, without ``created_at``."""
    return {
        "id": incident.id,
        "kind": incident.kind.value,
        "area": area_to_json(incident.area),
        "factor": incident.factor,
        "starts_at": incident.starts_at,
        "ends_at": incident.ends_at,
        "source": incident.source,
        "note": incident.note,
    }


def incident_from_row(row: Row) -> TrafficIncident:
    """Traffic incident from a row of ``traffic_incidents``."""
    return TrafficIncident(
        id=row["id"],
        kind=IncidentKind(row["kind"]),
        area=area_from_json(row["area"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        factor=row["factor"],
        source=row["source"],
        note=row["note"],
    )


# --- exceptions ----------------------------------------------------------------------


def affected_to_json(affected: AffectedOrder) -> dict[str, Any]:
    """An order touched by an exception, as JSON."""
    return {
        "order_id": affected.order_id,
        "client_id": affected.client_id,
        "client_name": affected.client_name,
        "priority": affected.priority,
        "eta": _time_to_json(affected.eta),
        "window_end": _time_to_json(affected.window_end),
        "risk": None if affected.risk is None else affected.risk.value,
    }


def affected_from_json(data: Mapping[str, Any]) -> AffectedOrder:
    """Inverse of :func:`affected_to_json`."""
    return AffectedOrder(
        order_id=data["order_id"],
        client_id=data["client_id"],
        client_name=data["client_name"],
        priority=data["priority"],
        eta=_time_from_json(data["eta"]),
        window_end=_time_from_json(data["window_end"]),
        risk=None if data["risk"] is None else Risk(data["risk"]),
    )


def impact_to_json(impact: Impact) -> dict[str, Any]:
    """What an option costs, as JSON."""
    return {
        "late_orders": impact.late_orders,
        "priority_weighted_lateness": impact.priority_weighted_lateness,
        "extra_distance_m": impact.extra_distance_m,
        "overtime_s": impact.overtime_s,
        "cost": impact.cost,
        "unserved_orders": impact.unserved_orders,
        "clients_to_notify": impact.clients_to_notify,
    }


def impact_from_json(data: Mapping[str, Any]) -> Impact:
    """Inverse of :func:`impact_to_json`."""
    return Impact(
        late_orders=data["late_orders"],
        priority_weighted_lateness=data["priority_weighted_lateness"],
        extra_distance_m=data["extra_distance_m"],
        overtime_s=data["overtime_s"],
        cost=data["cost"],
        unserved_orders=data["unserved_orders"],
        clients_to_notify=data["clients_to_notify"],
    )


def option_to_json(option: ExceptionOption) -> dict[str, Any]:
    """One way to resolve an exception, as JSON; ``changes`` is kept as given."""
    return {
        "id": option.id,
        "kind": option.kind,
        "summary": option.summary,
        "impact": impact_to_json(option.impact),
        "rank": option.rank,
        "changes": dict(option.changes),
    }


def option_from_json(data: Mapping[str, Any]) -> ExceptionOption:
    """Inverse of :func:`option_to_json`."""
    return ExceptionOption(
        id=data["id"],
        kind=data["kind"],
        summary=data["summary"],
        impact=impact_from_json(data["impact"]),
        rank=data["rank"],
        changes=dict(data["changes"]),
    )


def exception_to_row(exception: OperationalException) -> dict[str, Any]:
    """Row of ``exceptions`` for ``exception``; affected orders and options are documents."""
    return {
        "id": exception.id,
        "date": exception.date,
        "kind": exception.kind.value,
        "status": exception.status.value,
        "opened_at": exception.opened_at,
        "summary": exception.summary,
        "vehicle_id": exception.vehicle_id,
        "order_id": exception.order_id,
        "affected": [affected_to_json(a) for a in exception.affected],
        "options": [option_to_json(o) for o in exception.options],
        "options_ready_at": exception.options_ready_at,
        "resolved_at": exception.resolved_at,
        "chosen_option_id": exception.chosen_option_id,
        "resolved_by": exception.resolved_by,
        "plan_id": exception.plan_id,
    }


def exception_from_row(row: Row) -> OperationalException:
    """Exception from a row of ``exceptions``."""
    return OperationalException(
        id=row["id"],
        kind=ExceptionKind(row["kind"]),
        status=ExceptionStatus(row["status"]),
        opened_at=row["opened_at"],
        date=row["date"],
        summary=row["summary"],
        vehicle_id=row["vehicle_id"],
        order_id=row["order_id"],
        affected=tuple(affected_from_json(a) for a in row["affected"]),
        options=tuple(option_from_json(o) for o in row["options"]),
        options_ready_at=row["options_ready_at"],
        resolved_at=row["resolved_at"],
        chosen_option_id=row["chosen_option_id"],
        resolved_by=row["resolved_by"],
        plan_id=row["plan_id"],
    )
