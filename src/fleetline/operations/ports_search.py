"""What customer service reads from storage beyond the repositories of each entity.

Search runs as queries in the store (a day of 5,000 orders is searched in milliseconds),
and an order's history reads the few event types that concern it from the event log.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from fleetline.domain.model import Client, OrderState
from fleetline.operations.ports import LoggedEvent


@dataclass(frozen=True, slots=True)
class OrderHit:
    """An order found by a search, with what an agent needs to pick the right one."""

    order_id: str
    reference: str | None
    client_id: str
    client_name: str
    date: date
    state: OrderState
    address: str


class SearchRepository(Protocol):
    """Searches over clients and orders, and the reads behind an order's history."""

    def clients(self, text: str, digits: str | None, limit: int) -> builtins.list[Client]:
        """Clients whose name or email holds ``text``, or whose phone holds ``digits``."""
        ...

    def orders(
        self, text: str, client_ids: Iterable[str], limit: int, day: date | None = None
    ) -> builtins.list[OrderHit]:
        """Orders with id ``text``, a reference starting with it, or of ``client_ids``."""
        ...

    def order_created_at(self, order_id: str) -> datetime | None:
        """When the order was received."""
        ...

    def events_of(self, type_names: Iterable[str], since: datetime) -> builtins.list[LoggedEvent]:
        """Logged events of these types since ``since``, oldest first."""
        ...

    def inquiries_per_order(self, order_ids: Iterable[str]) -> dict[str, int]:
        """How many inquiries each order had."""
        ...
