"""What the admin console reads (in a worker thread): master data, tokens, an order file.

Reads go through the repositories of a unit of work, as the API's own reads do; the
console never holds a copy of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from fleetline.domain.access import ApiToken
from fleetline.domain.company import CompanyZone
from fleetline.domain.model import Client, Depot, Driver, Vehicle
from fleetline.operations.company import company_zone, company_zone_setting
from fleetline.operations.order_file_import import check_file
from fleetline.operations.order_import import ImportReport
from fleetline.ui.context import services


@dataclass(frozen=True, slots=True)
class Fleet:
    """Depots, vehicles and drivers, with the company's time zone."""

    depots: tuple[Depot, ...]
    vehicles: tuple[Vehicle, ...]
    drivers: tuple[Driver, ...]
    company: CompanyZone

    @property
    def zone(self) -> tzinfo:
        """The company's time zone."""
        return self.company.zone


@dataclass(frozen=True, slots=True)
class Access:
    """Every token, and the drivers a driver token may name."""

    tokens: tuple[ApiToken, ...]
    drivers: tuple[Driver, ...]
    zone: tzinfo


def read_fleet() -> Fleet:
    """Read the depots, vehicles and drivers."""
    with services().uow_factory() as uow:
        return Fleet(
            tuple(uow.depots.list()),
            tuple(uow.vehicles.list()),
            tuple(uow.drivers.list()),
            company_zone_setting(uow),
        )


def read_clients() -> tuple[Client, ...]:
    """Read every client account, by name."""
    with services().uow_factory() as uow:
        return tuple(uow.clients.list())


def read_access() -> Access:
    """Read every token (revoked ones too) and the drivers."""
    with services().uow_factory() as uow:
        tokens = sorted(uow.tokens.list(), key=lambda t: (t.role.value, t.name.casefold(), t.id))
        return Access(tuple(tokens), tuple(uow.drivers.list()), company_zone(uow))


def check_order_upload(filename: str, content: bytes, content_type: str) -> ImportReport:
    """Check an uploaded file of orders; nothing is stored (raises ``InvalidField`` on file)."""
    with services().uow_factory() as uow:
        return check_file(uow, filename, content, content_type)


def company_today() -> date:
    """Today in the company's time zone."""
    running = services()
    with running.uow_factory() as uow:
        zone = company_zone(uow)
    return running.clock.now().astimezone(zone).date()


def sample_client() -> str:
    """A client's name for the sample file (so that it imports as it is), if any."""
    with services().uow_factory() as uow:
        clients = uow.clients.list()
    return clients[0].name if clients else "Alpen Bakery"
