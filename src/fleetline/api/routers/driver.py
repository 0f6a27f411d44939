"""The driver app's own read: the signed-in driver's route of today, and nothing else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from fleetline.api.deps import ServicesDep, require
from fleetline.api.errors import ApiError
from fleetline.api.schemas import ERROR_RESPONSES
from fleetline.domain.access import ApiToken, Role
from fleetline.operations.driver_route import DriverRoute, DriverStop, driver_route

router = APIRouter(prefix="/api/v1/driver", responses=ERROR_RESPONSES, tags=["driver app"])
Driver = Annotated[ApiToken, Depends(require(Role.DRIVER))]


def stop_body(stop: DriverStop) -> dict[str, Any]:
    """One stop as the driver app reads it (the client's name and phone, no more)."""
    return {
        "stop_id": stop.order_id,
        "order_id": stop.order_id,
        "sequence": stop.sequence,
        "state": stop.state.value,
        "location": {"lat": stop.location.lat, "lon": stop.location.lon},
        "address": stop.address,
        "instructions": stop.instructions,
        "reference": stop.reference,
        "client": {"name": stop.client_name, "phone": stop.client_phone},
        "window": (
            {"start": stop.window.start.isoformat(), "end": stop.window.end.isoformat()}
            if stop.window
            else None
        ),
        "eta": stop.eta.isoformat() if stop.eta else None,
        "eta_window": (
            {"start": stop.eta_window[0].isoformat(), "end": stop.eta_window[1].isoformat()}
            if stop.eta_window
            else None
        ),
        "risk": stop.risk.value if stop.risk else None,
        "reports": [
            {
                "type": report.type.value,
                "at": report.at.isoformat(),
                "reason": report.reason.value if report.reason else None,
                "note": report.note,
                "has_proof": bool(report.proof),
            }
            for report in stop.reports
        ],
    }


def route_body(route: DriverRoute) -> dict[str, Any]:
    """The driver's route as the API answers it."""
    return {
        "date": route.date.isoformat(),
        "timezone": route.timezone,
        "driver": {"id": route.driver_id, "name": route.driver_name},
        "vehicle": (
            {
                "id": route.vehicle_id,
                "name": route.vehicle_name,
                "status": route.vehicle_status.value if route.vehicle_status else None,
                "note": route.vehicle_note,
            }
            if route.vehicle_id
            else None
        ),
        "plan_id": route.plan_id,
        "plan_version": route.plan_version,
        "stops": [stop_body(stop) for stop in route.stops],
    }


@router.get("/route")
def my_route(services: ServicesDep, token: Driver) -> dict[str, Any]:
    """The signed-in driver's route of today, and nothing of any other truck.

    Their own truck's stops in order, with windows, ETA windows, address, instructions,
    and each client's name and phone.
    """
    if token.driver_id is None:
        raise ApiError(403, "forbidden", "this token belongs to no driver", "Authorization")
    picture = services.live.picture()
    with services.uow_factory() as uow:
        route = driver_route(uow, token.driver_id, picture, services.clock.now())
    return route_body(route)
