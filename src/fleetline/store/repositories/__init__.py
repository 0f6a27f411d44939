"""Repositories: the only place with queries. They never commit."""

from fleetline.store.repositories.access import (
    IdempotencyRecord,
    IdempotencyRepository,
    TokenRepository,
)
from fleetline.store.repositories.events import EventLog, LoggedEvent
from fleetline.store.repositories.master import (
    ClientRepository,
    DepotRepository,
    DriverRepository,
    VehicleRepository,
)
from fleetline.store.repositories.orders import OrderRepository
from fleetline.store.repositories.plans import PlanRepository

__all__ = [
    "ClientRepository",
    "DepotRepository",
    "DriverRepository",
    "EventLog",
    "IdempotencyRecord",
    "IdempotencyRepository",
    "LoggedEvent",
    "OrderRepository",
    "PlanRepository",
    "TokenRepository",
    "VehicleRepository",
]
