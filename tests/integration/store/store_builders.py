"""Builders of valid domain objects for the store's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fleetline.domain.model import (
    Client,
    Contact,
    Depot,
    Location,
    Order,
    TimeWindow,
    Vehicle,
)
from fleetline.store.unit_of_work import SqlUnitOfWork

DAY = date(2025, 3, 14)


def depot(depot_id: str = "d1") -> Depot:
    return Depot(depot_id, "Schaan", Location(47.165, 9.51), "Europe/Vaduz")


def vehicle(vehicle_id: str = "v1", depot_id: str = "d1") -> Vehicle:
    return Vehicle(
        vehicle_id,
        f"Truck {vehicle_id}",
        depot_id,
        {"weight_kg": 8000, "pallets": 18},
        time(6, 0),
        time(16, 30),
        skills=frozenset({"cooling", "tail_lift"}),
    )


def client(client_id: str = "c1") -> Client:
    return Client(
        client_id,
        f"Client {client_id}",
        2,
        Contact(email=f"{client_id}@example.li", phone="+423 1234567"),
    )


def order(
    order_id: str, client_id: str = "c1", reference: str | None = None, day: date = DAY
) -> Order:
    start = datetime.combine(day, time(8, 0), tzinfo=UTC)
    return Order(
        order_id,
        client_id,
        day,
        Location(47.14, 9.52),
        (TimeWindow(start, start + timedelta(hours=2)),),
        {"weight_kg": 120, "pallets": 1},
        300,
        reference=reference,
    )


def seed_master_data(uow: SqlUnitOfWork, clients: int = 1) -> None:
    with uow:
        uow.depots.add(depot())
        uow.vehicles.add(vehicle())
        for index in range(1, clients + 1):
            uow.clients.add(client(f"c{index}"))
        uow.commit()
