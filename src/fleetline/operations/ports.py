"""What the use cases need from storage, as protocols; ``store/`` implements them.

Use cases depend on these protocols only, so the layering points downward: the store
adapter imports from here, never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, Self

from fleetline.domain.access import ApiToken
from fleetline.domain.events import Event
from fleetline.domain.model import Client, Depot, Driver, Order, Plan, Vehicle


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The stored answer to a write made with an ``Idempotency-Key``."""

    principal: str
    key: str
    method: str
    path: str
    request_hash: str
    status_code: int
    response_body: Any
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as read back from the append-only log."""

    seq: int
    event: Event
    recorded_at: datetime


class DepotRepository(Protocol):
    """Depots."""

    def add(self, depot: Depot) -> None: ...
    def get(self, depot_id: str) -> Depot | None: ...
    def list(self) -> list[Depot]: ...


class VehicleRepository(Protocol):
    """Vehicles."""

    def add(self, vehicle: Vehicle) -> None: ...
    def get(self, vehicle_id: str) -> Vehicle | None: ...
    def list(self, depot_id: str | None = None, active_only: bool = False) -> list[Vehicle]: ...
    def update(self, vehicle: Vehicle) -> None: ...


class DriverRepository(Protocol):
    """Drivers."""

    def add(self, driver: Driver) -> None: ...
    def get(self, driver_id: str) -> Driver | None: ...
    def list(self) -> list[Driver]: ...
    def update(self, driver: Driver) -> None: ...
    def by_vehicle(self, vehicle_id: str) -> Driver | None: ...


class ClientRepository(Protocol):
    """Client accounts."""

    def add(self, client: Client) -> None: ...
    def get(self, client_id: str) -> Client | None: ...
    def list(self) -> list[Client]: ...
    def get_many(self, client_ids: Iterable[str]) -> list[Client]: ...


class OrderRepository(Protocol):
    """Orders."""

    def add_many(self, orders: Sequence[Order]) -> None: ...
    def get(self, order_id: str) -> Order | None: ...
    def get_many(self, order_ids: Iterable[str]) -> list[Order]: ...
    def list_by_date(self, day: date, limit: int = ..., offset: int = 0) -> list[Order]: ...
    def count_by_date(self, day: date) -> int: ...
    def existing_references(
        self, pairs: Iterable[tuple[str, str]]
    ) -> set[tuple[str, str]]: ...
    def update(self, order: Order) -> None: ...


class PlanRepository(Protocol):
    """Plan versions and the live plan of each day."""

    def add(self, plan: Plan) -> None: ...
    def get(self, plan_id: str) -> Plan | None: ...
    def update(self, plan: Plan) -> None: ...
    def list_by_date(self, day: date) -> list[Plan]: ...
    def next_version(self, day: date) -> int: ...
    def live_for(self, day: date) -> Plan | None: ...
    def set_live(self, day: date, plan_id: str) -> None: ...


class TokenRepository(Protocol):
    """Bearer tokens (hashes only)."""

    def add(self, token: ApiToken) -> None: ...
    def by_hash(self, token_hash: str) -> ApiToken | None: ...
    def list(self) -> list[ApiToken]: ...
    def revoke(self, token_id: str) -> None: ...


class IdempotencyRepository(Protocol):
    """Answers to writes made with an ``Idempotency-Key``."""

    def get(self, principal: str, key: str) -> IdempotencyRecord | None: ...
    def put(self, record: IdempotencyRecord) -> None: ...


class EventLog(Protocol):
    """The append-only event log, read side."""

    def list(self, after_seq: int = 0, limit: int = 1000) -> list[LoggedEvent]: ...


class UnitOfWork(Protocol):
    """One transaction over every repository; only it commits."""

    depots: DepotRepository
    vehicles: VehicleRepository
    drivers: DriverRepository
    clients: ClientRepository
    orders: OrderRepository
    plans: PlanRepository
    tokens: TokenRepository
    idempotency: IdempotencyRepository
    events: EventLog

    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> None: ...
    def record(self, event: Event) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def collect_new_events(self) -> list[Event]: ...
