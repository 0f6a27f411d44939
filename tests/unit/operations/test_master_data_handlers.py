"""Setting up the company through the bus: depots, trucks, drivers and clients."""

from __future__ import annotations

from datetime import time

from fleetline.domain import commands, events
from fleetline.domain.errors import Conflict, InvalidField, NotFound

from .memory_fleet import Fleet, draft


def test_a_truck_of_an_unknown_depot_is_refused_on_depot_id_and_nothing_is_stored() -> None:
    """An admin's form shows the error at the depot field; no half-made truck appears."""
    fleet = Fleet()
    fleet.depot()
    command = commands.CreateVehicle(
        name="Truck 01",
        depot_id="dep_missing",
        capacity={"weight_kg": 1000},
        shift_start=time(7),
        shift_end=time(17),
    )
    refused = fleet.refused(command, NotFound)
    assert refused.field == "depot_id"
    assert fleet.store.count("vehicles") == 0


def test_a_new_truck_is_listed_under_its_depot_and_logged_once() -> None:
    """The planner finds the truck at its depot; the log says which depot it joined."""
    fleet = Fleet()
    schaan, vaduz = fleet.depot("Schaan"), fleet.depot("Vaduz")
    truck, logged = fleet.run(
        commands.CreateVehicle(
            name="Truck 01",
            depot_id=vaduz.id,
            capacity={"weight_kg": 1000},
            shift_start=time(7),
            shift_end=time(17),
        )
    )
    assert logged == [
        events.VehicleCreated(occurred_at=fleet.clock.now(), vehicle_id=truck.id, depot_id=vaduz.id)
    ]
    with fleet.read() as uow:
        assert uow.vehicles.list(depot_id=vaduz.id) == [truck]
        assert uow.vehicles.list(depot_id=schaan.id) == []


def test_a_depot_s_zone_cannot_change_while_its_trucks_are_dispatched() -> None:
    """Shifts and promised windows were read in the old zone: the change is refused on
    ``timezone`` naming the day; a depot whose trucks have no route today may change."""
    fleet = Fleet()
    schaan, vaduz = fleet.depot("Schaan"), fleet.depot("Vaduz")
    busy, idle = fleet.vehicle(schaan.id), fleet.vehicle(vaduz.id, "Truck 02")
    client = fleet.client()
    (order,) = fleet.orders(draft(client.id))
    fleet.dispatch({busy.id: [order.id], idle.id: []})

    refused = fleet.refused(
        commands.UpdateDepot(depot_id=schaan.id, timezone="Europe/Zurich"), Conflict
    )
    assert refused.field == "timezone"
    assert "2026-11-26" in str(refused)

    changed, logged = fleet.run(commands.UpdateDepot(depot_id=vaduz.id, timezone="Europe/Zurich"))
    assert changed.timezone == "Europe/Zurich"
    assert [(type(e), getattr(e, "fields", None)) for e in logged] == [
        (events.DepotChanged, ("timezone",))
    ]


def test_a_depot_update_that_changes_nothing_logs_nothing() -> None:
    """Saving the depot form unchanged adds no line to the depot's history."""
    fleet = Fleet()
    depot = fleet.depot("Schaan")
    kept, logged = fleet.run(commands.UpdateDepot(depot_id=depot.id, name="Schaan"))
    assert kept == depot
    assert logged == []


def test_a_driver_with_a_bad_phone_or_an_unknown_truck_is_refused_on_that_field() -> None:
    """The form marks the field at fault; no driver is stored."""
    fleet = Fleet()
    assert fleet.refused(
        commands.CreateDriver(name="Anna", phone="call me"), InvalidField
    ).field == ("phone")
    missing = fleet.refused(commands.CreateDriver(name="Anna", vehicle_id="veh_missing"), NotFound)
    assert missing.field == "vehicle_id"
    assert fleet.store.count("drivers") == 0


def test_taking_a_driver_off_their_truck_is_logged_with_the_truck_emptied() -> None:
    """The driver no longer sees the truck's route; the log says the truck was cleared."""
    fleet = Fleet()
    truck = fleet.vehicle(fleet.depot().id)
    driver = fleet.driver(vehicle_id=truck.id)
    changed, logged = fleet.run(
        commands.UpdateDriver(driver_id=driver.id, clear=frozenset({"vehicle_id"}))
    )
    assert changed.vehicle_id is None
    assert logged == [
        events.DriverChanged(
            occurred_at=fleet.clock.now(),
            driver_id=driver.id,
            fields=("vehicle_id",),
            vehicle_id=None,
        )
    ]
    with fleet.read() as uow:
        assert uow.drivers.by_vehicle(truck.id) is None


def test_a_driver_update_naming_what_cannot_be_emptied_or_an_unknown_truck_is_refused() -> None:
    """A driver always has a name and drives only a truck that exists."""
    fleet = Fleet()
    driver = fleet.driver()
    cleared = fleet.refused(
        commands.UpdateDriver(driver_id=driver.id, clear=frozenset({"name"})), InvalidField
    )
    assert cleared.field == "name"
    moved = fleet.refused(
        commands.UpdateDriver(driver_id=driver.id, vehicle_id="veh_missing"), NotFound
    )
    assert moved.field == "vehicle_id"


def test_a_client_update_is_checked_as_a_whole_and_logged_with_what_changed() -> None:
    """Priority 0 is refused on ``priority`` and the account stays; a valid change is
    stored and its history names the fields."""
    fleet = Fleet()
    client = fleet.client(priority=3)
    refused = fleet.refused(commands.UpdateClient(client_id=client.id, priority=0), InvalidField)
    assert refused.field == "priority"
    changed, logged = fleet.run(
        commands.UpdateClient(client_id=client.id, priority=1, notes="ring twice")
    )
    assert (changed.priority, changed.notes) == (1, "ring twice")
    assert [getattr(e, "fields", None) for e in logged] == [("notes", "priority")]
    with fleet.read() as uow:
        assert uow.clients.priorities([client.id, "cli_missing"]) == {client.id: 1}


def test_updating_a_client_that_does_not_exist_is_not_found() -> None:
    """An integrator's stale id gets a 404, and nothing is made up."""
    fleet = Fleet()
    fleet.refused(commands.UpdateClient(client_id="cli_missing", name="Ghost"), NotFound)


def test_a_truck_taken_out_of_service_leaves_the_active_fleet() -> None:
    """The planner no longer gets the truck; a shift ending before it starts is refused on
    ``shift_end``."""
    fleet = Fleet()
    truck = fleet.vehicle(fleet.depot().id)
    refused = fleet.refused(
        commands.UpdateVehicle(vehicle_id=truck.id, shift_end=time(6)), InvalidField
    )
    assert refused.field == "shift_end"
    _, logged = fleet.run(commands.UpdateVehicle(vehicle_id=truck.id, active=False))
    assert [getattr(e, "fields", None) for e in logged] == [("active",)]
    with fleet.read() as uow:
        assert uow.vehicles.list(active_only=True) == []
        assert [v.id for v in uow.vehicles.list()] == [truck.id]
