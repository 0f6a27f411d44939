"""The orders repository: bulk intake, paging by day, duplicate detection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.model import Order
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository, chunks, integrity_error, storable


class OrderRepository(Repository):
    """Orders, written in bulk and read by day."""

    def add(self, order: Order) -> None:
        """Store one new order (see :meth:`add_many`)."""
        self.add_many([order])

    def add_many(self, orders: Sequence[Order]) -> None:
        """Store new orders in one bulk insert.

        Parameters
        ----------
        orders
            The orders; thousands are fine.

        Raises
        ------
        Conflict
            On ``reference`` when a (client, reference) pair is already stored or occurs
            twice in ``orders``; on ``id`` when an id is taken. Nothing is written then.
        NotFound
            When a client does not exist.
        """
        if not orders:
            return
        now = self._now()
        rows = storable(
            [ser.order_to_row(o) | {"created_at": now, "updated_at": now} for o in orders]
        )
        seen: set[tuple[str, str]] = set()
        for order in orders:
            if order.reference is None:
                continue
            pair = (order.client_id, order.reference)
            if pair in seen:
                raise Conflict(
                    f"reference {order.reference!r} appears twice for client {order.client_id!r}",
                    "reference",
                )
            seen.add(pair)
        clashes = self.existing_references(seen)
        if clashes:
            client_id, reference = min(clashes)
            raise Conflict(
                f"client {client_id!r} already has an order with reference {reference!r}",
                "reference",
            )
        try:
            self._session.execute(sa.insert(t.orders), rows)
        except IntegrityError as exc:
            raise integrity_error(exc, "order") from exc

    def get(self, order_id: str) -> Order | None:
        """Return the order, or ``None``."""
        row = (
            self._session.execute(sa.select(t.orders).where(t.orders.c.id == order_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.order_from_row(row)

    def get_many(self, order_ids: Iterable[str]) -> list[Order]:
        """Return the stored orders among ``order_ids`` by id; missing ones are skipped."""
        found = self.get_many_revised(order_ids)
        return [found[order_id][0] for order_id in sorted(found)]

    def get_many_revised(self, order_ids: Iterable[str]) -> dict[str, tuple[Order, int]]:
        """The stored orders among ``order_ids`` with their revisions, by id."""
        found: dict[str, tuple[Order, int]] = {}
        for batch in chunks(set(order_ids)):
            rows = self._session.execute(
                sa.select(t.orders).where(t.orders.c.id.in_(batch))
            ).mappings()
            for row in rows:
                found[row["id"]] = (ser.order_from_row(row), int(row["revision"]))
        return found

    def revisions_by_date(self, day: date) -> dict[str, int]:
        """The revision of each order of ``day``, by id: one small read for a whole day.

        A revision counts the stores of an order, so a reader that holds an order at the
        same revision holds it as stored.
        """
        rows = self._session.execute(
            sa.select(t.orders.c.id, t.orders.c.revision).where(t.orders.c.date == day)
        )
        return {row[0]: int(row[1]) for row in rows}

    def list_by_date(self, day: date, limit: int = 1000, offset: int = 0) -> list[Order]:
        """Return a page of the orders of ``day``, ordered by id."""
        rows = self._session.execute(
            sa.select(t.orders)
            .where(t.orders.c.date == day)
            .order_by(t.orders.c.id)
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [ser.order_from_row(r) for r in rows]

    def count_by_date(self, day: date) -> int:
        """How many orders ``day`` has."""
        query = sa.select(sa.func.count()).select_from(t.orders).where(t.orders.c.date == day)
        return int(self._session.execute(query).scalar_one())

    def existing_references(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Return the (client id, reference) pairs among the given ones that are already stored."""
        # Text with NUL characters is never stored (and PostgreSQL cannot compare it).
        wanted = {pair for pair in pairs if "\x00" not in pair[0] + pair[1]}
        found: set[tuple[str, str]] = set()
        for batch in chunks(sorted(wanted)):
            rows = self._session.execute(
                sa.select(t.orders.c.client_id, t.orders.c.reference).where(
                    t.orders.c.reference.in_({ref for _, ref in batch}),
                    t.orders.c.client_id.in_({client for client, _ in batch}),
                )
            )
            found.update(pair for pair in ((r[0], r[1]) for r in rows) if pair in wanted)
        return found

    def update(self, order: Order) -> None:
        """Replace the stored order and stamp ``updated_at``.

        Raises
        ------
        NotFound
            When the order does not exist.
        Conflict
            When the new reference clashes with another order of the client.
        """
        values = ser.order_to_row(order)
        del values["id"]
        values["updated_at"] = self._now()
        values = storable([values])[0] | {"revision": t.orders.c.revision + 1}
        try:
            result = self._session.execute(
                sa.update(t.orders).where(t.orders.c.id == order.id).values(values)
            )
        except IntegrityError as exc:
            raise integrity_error(exc, "order", order.id) from exc
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("order", order.id)

    def timestamps(self, order_id: str) -> tuple[datetime, datetime] | None:
        """When the order was created and last updated (aware, UTC), or ``None``."""
        row = self._session.execute(
            sa.select(t.orders.c.created_at, t.orders.c.updated_at).where(t.orders.c.id == order_id)
        ).first()
        return None if row is None else (row[0], row[1])
