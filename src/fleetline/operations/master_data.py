"""Handlers that set up the company: depots, vehicles, drivers and clients."""

from __future__ import annotations

import dataclasses
from typing import Any

from fleetline.bus import Context
from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.model import Client, Depot, Driver, Vehicle
from fleetline.domain.values import validate_phone
from fleetline.operations.company import adopt_first_depot_zone, first_dispatched_day
from fleetline.operations.ports import UnitOfWork


def create_depot(command: commands.CreateDepot, uow: UnitOfWork, context: Context) -> Depot:
    """Add a depot and log it; the first depot created gives the company its time zone."""
    depot = Depot(
        id=context.ids("dep"),
        name=command.name,
        location=command.location,
        timezone=command.timezone,
    )
    uow.depots.add(depot)
    now = context.clock.now()
    uow.record(events.DepotCreated(occurred_at=now, depot_id=depot.id, name=depot.name))
    adopt_first_depot_zone(uow, depot, now)
    return depot


def update_depot(command: commands.UpdateDepot, uow: UnitOfWork, context: Context) -> Depot:
    """Change a depot's given fields; the depot is checked as a whole again.

    A new time zone changes how its vehicles' local shift times are read from then on.

    Raises
    ------
    NotFound
        When the depot does not exist.
    InvalidField
        On ``name`` or ``timezone`` when they break the rules for a depot.
    Conflict
        On ``timezone`` while a dispatched day, today or later, routes the depot's trucks.
    """
    depot = uow.depots.get(command.depot_id)
    if depot is None:
        raise NotFound("depot", command.depot_id)
    changes = _given(command, ("name", "location", "timezone"))
    changes = {name: value for name, value in changes.items() if getattr(depot, name) != value}
    if not changes:
        return depot
    if "timezone" in changes:
        _refuse_zone_change_on_a_live_day(depot, uow, context)
    changed = dataclasses.replace(depot, **changes)
    uow.depots.update(changed)
    uow.record(
        events.DepotChanged(
            occurred_at=context.clock.now(), depot_id=depot.id, fields=tuple(sorted(changes))
        )
    )
    return changed


def _refuse_zone_change_on_a_live_day(depot: Depot, uow: UnitOfWork, context: Context) -> None:
    """Raise ``Conflict`` on ``timezone`` while a dispatched day routes the depot's trucks.

    Their shifts and the windows promised to clients were read in the old zone: a new one
    would move every one of them by hours under the drivers' feet.
    """
    today = context.clock.now().astimezone(depot.zone).date()
    trucks = {vehicle.id for vehicle in uow.vehicles.list(depot_id=depot.id)}
    day = first_dispatched_day(uow, today, trucks)
    if day is not None:
        raise Conflict(
            f"the depot's trucks are dispatched for {day.isoformat()}: change its time "
            "zone when no dispatched day is left",
            field="timezone",
        )


def create_vehicle(command: commands.CreateVehicle, uow: UnitOfWork, context: Context) -> Vehicle:
    """Add a vehicle to an existing depot."""
    if uow.depots.get(command.depot_id) is None:
        raise NotFound("depot", command.depot_id, field="depot_id")
    vehicle = Vehicle(
        id=context.ids("veh"),
        name=command.name,
        depot_id=command.depot_id,
        capacity=command.capacity,
        shift_start=command.shift_start,
        shift_end=command.shift_end,
        skills=command.skills,
        costs=command.costs,
        max_overtime_s=command.max_overtime_s,
    )
    uow.vehicles.add(vehicle)
    uow.record(
        events.VehicleCreated(
            occurred_at=context.clock.now(), vehicle_id=vehicle.id, depot_id=vehicle.depot_id
        )
    )
    return vehicle


def create_driver(command: commands.CreateDriver, uow: UnitOfWork, context: Context) -> Driver:
    """Add a driver, checking their phone number and the vehicle they are assigned to.

    Raises
    ------
    InvalidField
        On ``phone`` when it is not a phone number (see :func:`validate_phone`).
    NotFound
        On ``vehicle_id`` when the truck does not exist.
    """
    phone = None if command.phone is None else validate_phone(command.phone)
    if command.vehicle_id is not None and uow.vehicles.get(command.vehicle_id) is None:
        raise NotFound("vehicle", command.vehicle_id, field="vehicle_id")
    driver = Driver(
        id=context.ids("drv"),
        name=command.name,
        phone=phone,
        vehicle_id=command.vehicle_id,
    )
    uow.drivers.add(driver)
    uow.record(
        events.DriverCreated(
            occurred_at=context.clock.now(), driver_id=driver.id, vehicle_id=driver.vehicle_id
        )
    )
    return driver


def create_client(command: commands.CreateClient, uow: UnitOfWork, context: Context) -> Client:
    """Add a client account."""
    client = Client(
        id=context.ids("cli"),
        name=command.name,
        priority=command.priority,
        contact=command.contact,
        preferences=command.preferences,
        notes=command.notes,
    )
    uow.clients.add(client)
    uow.record(
        events.ClientCreated(
            occurred_at=context.clock.now(), client_id=client.id, priority=client.priority
        )
    )
    return client


def update_client(command: commands.UpdateClient, uow: UnitOfWork, context: Context) -> Client:
    """Change a client account's given fields; the account is checked as a whole again."""
    client = uow.clients.get(command.client_id)
    if client is None:
        raise NotFound("client", command.client_id)
    changes = _given(command, ("name", "priority", "contact", "preferences", "notes"))
    if not changes:
        return client
    changed = dataclasses.replace(client, **changes)
    uow.clients.update(changed)
    uow.record(
        events.ClientChanged(
            occurred_at=context.clock.now(), client_id=client.id, fields=tuple(sorted(changes))
        )
    )
    return changed


def update_vehicle(command: commands.UpdateVehicle, uow: UnitOfWork, context: Context) -> Vehicle:
    """Change a vehicle's given fields; the vehicle is checked as a whole again."""
    vehicle = uow.vehicles.get(command.vehicle_id)
    if vehicle is None:
        raise NotFound("vehicle", command.vehicle_id)
    names = (
        "name",
        "capacity",
        "shift_start",
        "shift_end",
        "skills",
        "costs",
        "max_overtime_s",
        "active",
    )
    changes = _given(command, names)
    if not changes:
        return vehicle
    changed = dataclasses.replace(vehicle, **changes)
    uow.vehicles.update(changed)
    uow.record(
        events.VehicleChanged(
            occurred_at=context.clock.now(), vehicle_id=vehicle.id, fields=tuple(sorted(changes))
        )
    )
    return changed


def update_driver(command: commands.UpdateDriver, uow: UnitOfWork, context: Context) -> Driver:
    """Change a driver's given fields, or empty those ``clear`` names (no phone, no truck).

    Raises
    ------
    NotFound
        When the driver does not exist, or on ``vehicle_id`` when the truck does not.
    InvalidField
        On ``name`` or ``phone`` when they break the rules for a driver.
    """
    driver = uow.drivers.get(command.driver_id)
    if driver is None:
        raise NotFound("driver", command.driver_id)
    changes = _given(command, ("name", "phone", "vehicle_id"))
    unknown = command.clear - {"phone", "vehicle_id"}
    if unknown:
        raise InvalidField(sorted(unknown)[0], "cannot be emptied")
    changes.update(dict.fromkeys(command.clear))
    if changes.get("vehicle_id") is not None and uow.vehicles.get(changes["vehicle_id"]) is None:
        raise NotFound("vehicle", changes["vehicle_id"], field="vehicle_id")
    if changes.get("phone") is not None:
        changes["phone"] = validate_phone(changes["phone"])
    changes = {name: value for name, value in changes.items() if getattr(driver, name) != value}
    if not changes:
        return driver
    changed = dataclasses.replace(driver, **changes)
    uow.drivers.update(changed)
    uow.record(
        events.DriverChanged(
            occurred_at=context.clock.now(),
            driver_id=driver.id,
            fields=tuple(sorted(changes)),
            vehicle_id=changed.vehicle_id,
        )
    )
    return changed


def _given(command: commands.Command, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``command`` among ``names`` that were given (are not ``None``)."""
    return {name: getattr(command, name) for name in names if getattr(command, name) is not None}
