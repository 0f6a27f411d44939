"""Repositories of master data: depots, vehicles, drivers and clients."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fleetline.domain.errors import NotFound
from fleetline.domain.model import Client, Depot, Driver, Vehicle
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository, chunks, integrity_error, storable


class DepotRepository(Repository):
    """Depots."""

    def add(self, depot: Depot) -> None:
        """Store a new depot; raise ``Conflict`` if its id is taken."""
        try:
            self._session.execute(sa.insert(t.depots), storable([ser.depot_to_row(depot)]))
        except IntegrityError as exc:
            raise integrity_error(exc, "depot", depot.id) from exc

    def get(self, depot_id: str) -> Depot | None:
        """Return the depot, or ``None``."""
        row = (
            self._session.execute(sa.select(t.depots).where(t.depots.c.id == depot_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.depot_from_row(row)

    def list(self) -> list[Depot]:
        """Every depot, by name."""
        rows = self._session.execute(
            sa.select(t.depots).order_by(t.depots.c.name, t.depots.c.id)
        ).mappings()
        return [ser.depot_from_row(r) for r in rows]

    def update(self, depot: Depot) -> None:
        """Replace the stored depot; raise ``NotFound`` if it does not exist."""
        values = ser.depot_to_row(depot)
        del values["id"]
        result = self._session.execute(
            sa.update(t.depots).where(t.depots.c.id == depot.id).values(storable([values])[0])
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("depot", depot.id)


class VehicleRepository(Repository):
    """Vehicles of the fleet."""

    def add(self, vehicle: Vehicle) -> None:
        """Store a new vehicle; raise ``Conflict`` or ``NotFound`` (depot)."""
        try:
            self._session.execute(sa.insert(t.vehicles), storable([ser.vehicle_to_row(vehicle)]))
        except IntegrityError as exc:
            raise integrity_error(exc, "vehicle", vehicle.id) from exc

    def get(self, vehicle_id: str) -> Vehicle | None:
        """Return the vehicle, or ``None``."""
        row = (
            self._session.execute(sa.select(t.vehicles).where(t.vehicles.c.id == vehicle_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.vehicle_from_row(row)

    def list(self, depot_id: str | None = None, active_only: bool = False) -> list[Vehicle]:
        """Vehicles by name, optionally of one depot and only the active ones."""
        query = sa.select(t.vehicles).order_by(t.vehicles.c.name, t.vehicles.c.id)
        if depot_id is not None:
            query = query.where(t.vehicles.c.depot_id == depot_id)
        if active_only:
            query = query.where(t.vehicles.c.active.is_(True))
        return [ser.vehicle_from_row(r) for r in self._session.execute(query).mappings()]

    def update(self, vehicle: Vehicle) -> None:
        """Replace the stored vehicle; raise ``NotFound`` if it does not exist."""
        values = ser.vehicle_to_row(vehicle)
        del values["id"]
        result = self._session.execute(
            sa.update(t.vehicles).where(t.vehicles.c.id == vehicle.id).values(storable([values])[0])
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("vehicle", vehicle.id)


class DriverRepository(Repository):
    """Drivers."""

    def add(self, driver: Driver) -> None:
        """Store a new driver; raise ``Conflict`` or ``NotFound`` (vehicle)."""
        try:
            self._session.execute(sa.insert(t.drivers), storable([ser.driver_to_row(driver)]))
        except IntegrityError as exc:
            raise integrity_error(exc, "driver", driver.id) from exc

    def get(self, driver_id: str) -> Driver | None:
        """Return the driver, or ``None``."""
        row = (
            self._session.execute(sa.select(t.drivers).where(t.drivers.c.id == driver_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.driver_from_row(row)

    def list(self) -> list[Driver]:
        """Every driver, by name."""
        rows = self._session.execute(
            sa.select(t.drivers).order_by(t.drivers.c.name, t.drivers.c.id)
        ).mappings()
        return [ser.driver_from_row(r) for r in rows]

    def update(self, driver: Driver) -> None:
        """Replace the stored driver; raise ``NotFound`` if it does not exist."""
        values = ser.driver_to_row(driver)
        del values["id"]
        result = self._session.execute(
            sa.update(t.drivers).where(t.drivers.c.id == driver.id).values(storable([values])[0])
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("driver", driver.id)

    def by_vehicle(self, vehicle_id: str) -> Driver | None:
        """Return the driver of ``vehicle_id`` (the first by id if several), or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.drivers)
                .where(t.drivers.c.vehicle_id == vehicle_id)
                .order_by(t.drivers.c.id)
            )
            .mappings()
            .first()
        )
        return None if row is None else ser.driver_from_row(row)


class ClientRepository(Repository):
    """Client accounts."""

    def add(self, client: Client) -> None:
        """Store a new client; raise ``Conflict`` if its id is taken."""
        try:
            self._session.execute(sa.insert(t.clients), storable([ser.client_to_row(client)]))
        except IntegrityError as exc:
            raise integrity_error(exc, "client", client.id) from exc

    def get(self, client_id: str) -> Client | None:
        """Return the client, or ``None``."""
        row = (
            self._session.execute(sa.select(t.clients).where(t.clients.c.id == client_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.client_from_row(row)

    def get_many(self, client_ids: Iterable[str]) -> list[Client]:
        """Return the stored clients among ``client_ids`` by id; missing ones are skipped."""
        found: list[Client] = []
        for batch in chunks(set(client_ids)):
            rows = self._session.execute(
                sa.select(t.clients).where(t.clients.c.id.in_(batch))
            ).mappings()
            found.extend(ser.client_from_row(r) for r in rows)
        return sorted(found, key=lambda item: item.id)

    def priorities(self, client_ids: Iterable[str]) -> dict[str, int]:
        """The priority of each stored client among ``client_ids``, by id."""
        found: dict[str, int] = {}
        for batch in chunks(set(client_ids)):
            rows = self._session.execute(
                sa.select(t.clients.c.id, t.clients.c.priority).where(t.clients.c.id.in_(batch))
            )
            found.update((row[0], int(row[1])) for row in rows)
        return found

    def list(self) -> list[Client]:
        """Every client, by name."""
        rows = self._session.execute(
            sa.select(t.clients).order_by(t.clients.c.name, t.clients.c.id)
        ).mappings()
        return [ser.client_from_row(r) for r in rows]

    def update(self, client: Client) -> None:
        """Replace the stored client; raise ``NotFound`` if it does not exist."""
        values = ser.client_to_row(client)
        del values["id"]
        result = self._session.execute(
            sa.update(t.clients).where(t.clients.c.id == client.id).values(storable([values])[0])
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("client", client.id)
