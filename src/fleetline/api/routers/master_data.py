"""Depots, vehicles, drivers and clients."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from fleetline.api import presenters
from fleetline.api.deps import (
    PLANNERS,
    STAFF,
    IdempotencyKey,
    PathId,
    ServicesDep,
    execute,
    require,
)
from fleetline.api.schemas import (
    ERROR_RESPONSES,
    ClientIn,
    ClientOut,
    ClientPatch,
    DepotIn,
    DepotOut,
    DriverIn,
    DriverOut,
    PreferencesBody,
    VehicleIn,
    VehicleOut,
    VehiclePatch,
)
from fleetline.api.schemas_admin import DepotPatch, DriverPatch
from fleetline.domain import commands
from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import NotFound
from fleetline.domain.model import (
    Channel,
    Contact,
    Location,
    NotificationPreferences,
    VehicleCosts,
)

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
Writer = Annotated[ApiToken, Depends(require(*PLANNERS))]
Admin = Annotated[ApiToken, Depends(require(Role.ADMIN, Role.INTEGRATION))]
Reader = Annotated[ApiToken, Depends(require(*STAFF))]


@router.post("/depots", status_code=201, response_model=DepotOut, tags=["master data"])
def create_depot(
    body: DepotIn,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a depot; its time zone governs the local shift times of its vehicles."""
    command = commands.CreateDepot(
        name=body.name,
        location=Location(body.location.lat, body.location.lon),
        timezone=body.timezone,
    )
    return execute(
        services,
        token,
        command,
        lambda d: (201, presenters.depot(d)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.get("/depots", response_model=list[DepotOut], tags=["master data"])
def list_depots(services: ServicesDep, token: Reader) -> list[dict[str, object]]:
    """List every depot."""
    with services.uow_factory() as uow:
        return [presenters.depot(d) for d in uow.depots.list()]


@router.get("/depots/{depot_id}", response_model=DepotOut, tags=["master data"])
def get_depot(depot_id: PathId, services: ServicesDep, token: Reader) -> dict[str, object]:
    """One depot."""
    with services.uow_factory() as uow:
        depot = uow.depots.get(depot_id)
    if depot is None:
        raise NotFound("depot", depot_id)
    return presenters.depot(depot)


@router.patch("/depots/{depot_id}", response_model=DepotOut, tags=["master data"])
def update_depot(
    depot_id: PathId,
    body: DepotPatch,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Change a depot: its name, location or time zone.

    Only the fields given change; a refused change changes nothing. The time zone cannot
    change (409 on ``timezone``) while a dispatched day, today or later, routes the
    depot's trucks: their shifts and the windows promised were read in the old zone.
    """
    location = body.location
    command = commands.UpdateDepot(
        depot_id=depot_id,
        name=body.name,
        location=Location(location.lat, location.lon) if location is not None else None,
        timezone=body.timezone,
    )
    return execute(
        services,
        token,
        command,
        lambda d: (200, presenters.depot(d)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.post("/vehicles", status_code=201, response_model=VehicleOut, tags=["master data"])
def create_vehicle(
    body: VehicleIn,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a vehicle: capacity per load dimension, local shift times, skills and costs."""
    command = commands.CreateVehicle(
        name=body.name,
        depot_id=body.depot_id,
        capacity=body.capacity,
        shift_start=time.fromisoformat(body.shift_start),
        shift_end=time.fromisoformat(body.shift_end),
        skills=frozenset(body.skills),
        costs=VehicleCosts(**body.costs.model_dump()),
        max_overtime_s=body.max_overtime_s,
    )
    return execute(
        services,
        token,
        command,
        lambda v: (201, presenters.vehicle(v)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.get("/vehicles", response_model=list[VehicleOut], tags=["master data"])
def list_vehicles(services: ServicesDep, token: Reader) -> list[dict[str, object]]:
    """List every vehicle."""
    with services.uow_factory() as uow:
        return [presenters.vehicle(v) for v in uow.vehicles.list()]


@router.get("/vehicles/{vehicle_id}", response_model=VehicleOut, tags=["master data"])
def get_vehicle(vehicle_id: PathId, services: ServicesDep, token: Reader) -> dict[str, object]:
    """One vehicle."""
    with services.uow_factory() as uow:
        vehicle = uow.vehicles.get(vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle", vehicle_id)
    return presenters.vehicle(vehicle)


@router.patch("/vehicles/{vehicle_id}", response_model=VehicleOut, tags=["master data"])
def update_vehicle(
    vehicle_id: PathId,
    body: VehiclePatch,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Change a vehicle: capacity, shift, skills, costs, or take it out of service.

    Only the fields given change; the shift must still end after it starts.
    """
    command = commands.UpdateVehicle(
        vehicle_id=vehicle_id,
        name=body.name,
        capacity=body.capacity,
        shift_start=time.fromisoformat(body.shift_start) if body.shift_start else None,
        shift_end=time.fromisoformat(body.shift_end) if body.shift_end else None,
        skills=frozenset(body.skills) if body.skills is not None else None,
        costs=VehicleCosts(**body.costs.model_dump()) if body.costs is not None else None,
        max_overtime_s=body.max_overtime_s,
        active=body.active,
    )
    return execute(
        services,
        token,
        command,
        lambda v: (200, presenters.vehicle(v)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.post("/drivers", status_code=201, response_model=DriverOut, tags=["master data"])
def create_driver(
    body: DriverIn,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a driver, optionally assigned to a vehicle."""
    command = commands.CreateDriver(name=body.name, phone=body.phone, vehicle_id=body.vehicle_id)
    return execute(
        services,
        token,
        command,
        lambda d: (201, presenters.driver(d)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.patch("/drivers/{driver_id}", response_model=DriverOut, tags=["master data"])
def update_driver(
    driver_id: PathId,
    body: DriverPatch,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Change a driver: name, phone, or the truck they drive.

    Only the fields given change; ``"vehicle_id": null`` takes the driver off their truck
    and ``"phone": null`` removes the phone number.
    """
    cleared = {name for name in ("phone", "vehicle_id") if name in body.model_fields_set}
    command = commands.UpdateDriver(
        driver_id=driver_id,
        name=body.name,
        phone=body.phone,
        vehicle_id=body.vehicle_id,
        clear=frozenset(name for name in cleared if getattr(body, name) is None),
    )
    return execute(
        services,
        token,
        command,
        lambda d: (200, presenters.driver(d)),
        request=request,
        body=body.model_dump(exclude_unset=True),
        idempotency_key=key,
    )


@router.get("/drivers", response_model=list[DriverOut], tags=["master data"])
def list_drivers(services: ServicesDep, token: Reader) -> list[dict[str, object]]:
    """List every driver."""
    with services.uow_factory() as uow:
        return [presenters.driver(d) for d in uow.drivers.list()]


@router.post("/clients", status_code=201, response_model=ClientOut, tags=["master data"])
def create_client(
    body: ClientIn,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a client account with its priority (1 highest) and how to reach it."""
    command = commands.CreateClient(
        name=body.name,
        priority=body.priority,
        contact=Contact(**body.contact.model_dump()),
        preferences=_preferences(body.preferences),
        notes=body.notes,
    )
    return execute(
        services,
        token,
        command,
        lambda c: (201, presenters.client(c)),
        request=request,
        body=body,
        idempotency_key=key,
    )


def _preferences(prefs: PreferencesBody) -> NotificationPreferences:
    return NotificationPreferences(
        channels=tuple(Channel(c) for c in prefs.channels),
        locale=prefs.locale,
        quiet_start=time.fromisoformat(prefs.quiet_start) if prefs.quiet_start else None,
        quiet_end=time.fromisoformat(prefs.quiet_end) if prefs.quiet_end else None,
        enabled=prefs.enabled,
    )


@router.patch("/clients/{client_id}", response_model=ClientOut, tags=["master data"])
def update_client(
    client_id: PathId,
    body: ClientPatch,
    request: Request,
    services: ServicesDep,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Change a client account: name, priority, contact, notification settings, notes.

    Only the fields given change; ``contact`` and ``preferences`` are replaced as a whole.
    """
    command = commands.UpdateClient(
        client_id=client_id,
        name=body.name,
        priority=body.priority,
        contact=Contact(**body.contact.model_dump()) if body.contact is not None else None,
        preferences=_preferences(body.preferences) if body.preferences is not None else None,
        notes=body.notes,
    )
    return execute(
        services,
        token,
        command,
        lambda c: (200, presenters.client(c)),
        request=request,
        body=body,
        idempotency_key=key,
    )


@router.get("/clients", response_model=list[ClientOut], tags=["master data"])
def list_clients(services: ServicesDep, token: Reader) -> list[dict[str, object]]:
    """List every client account."""
    with services.uow_factory() as uow:
        return [presenters.client(c) for c in uow.clients.list()]


@router.get("/clients/{client_id}", response_model=ClientOut, tags=["master data"])
def get_client(client_id: PathId, services: ServicesDep, token: Reader) -> dict[str, object]:
    """One client account."""
    with services.uow_factory() as uow:
        client = uow.clients.get(client_id)
    if client is None:
        raise NotFound("client", client_id)
    return presenters.client(client)
