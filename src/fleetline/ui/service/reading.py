"""What the service console reads: the search, and one order's card (the API's own reads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo

from fleetline.domain.errors import NotFound
from fleetline.operations.company import company_zone
from fleetline.operations.live_service import LivePicture
from fleetline.operations.order_status import OrderStatus, order_status
from fleetline.operations.picture_reads import read_with_picture
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.search import SearchResult, search
from fleetline.ui.context import services
from fleetline.ui.service.order_map import MapView, way_to_stop

RESULTS = 12
"""Orders (and clients) listed per search: enough to pick from, short enough to scan."""


@dataclass(frozen=True, slots=True)
class CardData:
    """One order as the card shows it, read at one moment.

    ``status`` is exactly what ``GET /api/v1/orders/{id}/status`` answers from.
    """

    status: OrderStatus
    zone: tzinfo
    today: date
    view: MapView
    truck_name: str | None


def find(query: str) -> SearchResult:
    """Search orders and clients (raises ``InvalidField`` on ``q`` like the API)."""
    with services().uow_factory() as uow:
        return search(uow, query, RESULTS)


def local_today() -> date:
    """Today in the company's zone, by the clock."""
    running = services()
    with running.uow_factory() as uow:
        zone = company_zone(uow)
    return running.clock.now().astimezone(zone).date()


def read_card(order_id: str) -> CardData | None:
    """Read the order's card; ``None`` when the order does not exist."""
    running = services()
    now = running.clock.now()

    def read(
        uow: UnitOfWork, picture_of: Callable[[date], LivePicture]
    ) -> tuple[OrderStatus, tzinfo, LivePicture | None]:
        status = order_status(uow, picture_of, order_id, now)
        picture = picture_of(status.order.date) if status.position is not None else None
        return status, company_zone(uow), picture

    try:
        status, zone, picture = read_with_picture(running.uow_factory, running.live, read)
    except NotFound:
        return None
    order = status.order
    truck_name = None
    view = MapView(stop=order.location)
    if picture is not None and status.position is not None and status.vehicle_id is not None:
        truck_name = next(
            (
                run.vehicle.name
                for run in picture.snapshot.vehicles
                if run.vehicle_id == status.vehicle_id
            ),
            None,
        )
        view = MapView(
            stop=order.location,
            truck=status.position.location,
            truck_label=truck_name or "Truck",
            way=way_to_stop(picture, status.vehicle_id, order.id),
        )
    return CardData(status, zone, now.astimezone(zone).date(), view, truck_name)
