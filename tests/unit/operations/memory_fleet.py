"""A small company on the memory store, built through the real handlers on a bus."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from fleetline.bus import IdempotentRequest
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.events import Event
from fleetline.domain.model import (
    Client,
    Depot,
    Driver,
    Location,
    Order,
    Plan,
    PlannedStop,
    PlanSource,
    PlanStatus,
    Route,
    TimeWindow,
    Vehicle,
)

from ..memory_store import MemoryStore, MemoryUnitOfWork, memory_bus

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
"""09:00 in Vaduz on the operating day."""
DAY = date(2026, 11, 26)
HERE = Location(47.14, 9.52)


def window(start_h: int, end_h: int, day: date = DAY) -> TimeWindow:
    """A window from ``start_h`` to ``end_h`` o'clock UTC on ``day``."""
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return TimeWindow(start + timedelta(hours=start_h), start + timedelta(hours=end_h))


def draft(
    client_id: str,
    reference: str | None = None,
    day: date = DAY,
    service_s: int = 300,
    address: str = "Landstrasse 1",
) -> commands.OrderDraft:
    """An order of ``client_id`` for ``day``, delivered between 09:00 and 11:00 UTC."""
    return commands.OrderDraft(
        client_id=client_id,
        date=day,
        location=HERE,
        time_windows=(window(9, 11, day),),
        demand={"weight_kg": 20},
        service_s=service_s,
        reference=reference,
        address=address,
    )


class Fleet:
    """A company on a memory store: the bus, its clock, and builders for its master data."""

    def __init__(self, now: datetime = NOW) -> None:
        self.clock = FixedClock(now)
        self.store = MemoryStore()
        self.bus = memory_bus(self.clock, self.store)

    def run(
        self, command: commands.Command, idempotency: IdempotentRequest | None = None
    ) -> tuple[Any, list[Event]]:
        """Handle ``command``; return what it returned and the events it logged."""
        before = len(self.store.log())
        result = self.bus.handle(command, idempotency)
        return result, [entry.event for entry in self.store.log()[before:]]

    def refused[E: Exception](self, command: commands.Command, error: type[E]) -> E:
        """Handle a command that must fail with ``error``; check it stored and logged nothing."""
        state, logged = self.store.snapshot(), len(self.store.log())
        with pytest.raises(error) as caught:
            self.bus.handle(command)
        assert self.store.snapshot() == state, "a refused command changed the stored state"
        assert len(self.store.log()) == logged, "a refused command logged events"
        return caught.value

    def read(self) -> MemoryUnitOfWork:
        """A unit of work on the committed state."""
        return self.store.read()

    def depot(self, name: str = "Schaan", timezone: str = "Europe/Vaduz") -> Depot:
        """A new depot."""
        made: Depot = self.bus.handle(
            commands.CreateDepot(name=name, location=HERE, timezone=timezone)
        )
        return made

    def vehicle(self, depot_id: str, name: str = "Truck 01") -> Vehicle:
        """A new truck of ``depot_id``, 07:00 to 17:00 local."""
        made: Vehicle = self.bus.handle(
            commands.CreateVehicle(
                name=name,
                depot_id=depot_id,
                capacity={"weight_kg": 1000},
                shift_start=time(7),
                shift_end=time(17),
            )
        )
        return made

    def driver(self, name: str = "Anna Muster", vehicle_id: str | None = None) -> Driver:
        """A new driver, of ``vehicle_id`` when given."""
        made: Driver = self.bus.handle(commands.CreateDriver(name=name, vehicle_id=vehicle_id))
        return made

    def client(self, name: str = "Alpen Bakery", priority: int = 3) -> Client:
        """A new client account."""
        made: Client = self.bus.handle(commands.CreateClient(name=name, priority=priority))
        return made

    def orders(self, *drafts: commands.OrderDraft) -> list[Order]:
        """New orders, stored as one batch."""
        made: list[Order] = self.bus.handle(commands.CreateOrders(orders=drafts))
        return made

    def dispatch(self, routes: dict[str, list[str]], day: date = DAY) -> Plan:
        """A ready plan of ``day`` with these routes (vehicle id -> order ids), dispatched."""
        with MemoryUnitOfWork(self.store, self.clock) as uow:
            now = self.clock.now()
            plan = Plan(
                id=f"pln_{day.isoformat()}_{uow.plans.next_version(day)}",
                date=day,
                version=uow.plans.next_version(day),
                status=PlanStatus.READY,
                source=PlanSource.IMPORTED,
                created_at=now,
                routes=tuple(_route(vehicle_id, ids, day) for vehicle_id, ids in routes.items()),
            )
            uow.plans.add(plan)
            uow.commit()
        dispatched: Plan = self.bus.handle(commands.DispatchPlan(plan_id=plan.id))
        return dispatched


def _route(vehicle_id: str, order_ids: list[str], day: date) -> Route:
    start = datetime.combine(day, time(7), tzinfo=UTC)
    stops = tuple(
        PlannedStop(
            stop_id=f"stp_{order_id}",
            order_id=order_id,
            sequence=index,
            eta=start + timedelta(hours=index),
            service_start=start + timedelta(hours=index),
            departure=start + timedelta(hours=index, minutes=5),
            time_windows=(window(9, 11, day),),
        )
        for index, order_id in enumerate(order_ids, start=1)
    )
    end = start + timedelta(hours=len(order_ids) + 1)
    return Route(vehicle_id, stops, start, end, distance_m=1000, duration_s=3600, load={})
