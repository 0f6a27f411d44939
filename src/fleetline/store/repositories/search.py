"""Customer service's searches and reads, as queries in the store.

Clients match by name (case-insensitive substring), email (case-insensitive substring)
or phone (digits only compared: ``+423 123 45 67`` finds ``+4231234567``); orders by id,
by reference prefix (case-insensitive) or by one of the clients found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa

from fleetline.domain.model import Client, OrderState
from fleetline.operations.ports import LoggedEvent
from fleetline.operations.ports_search import OrderHit
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository, chunks

PHONE_PUNCTUATION = "+ -()."
"""What a stored phone may hold besides digits (see :class:`~fleetline.domain.model.Contact`)."""
_ESCAPE = "\\"


def _like_escaped(text: str) -> str:
    """``text`` with LIKE's wildcards taken literally."""
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def _digits_only(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The column with the punctuation of a phone number removed, in SQL."""
    stripped: sa.ColumnElement[str] = column
    for character in PHONE_PUNCTUATION:
        stripped = sa.func.replace(stripped, character, "")
    return stripped


class SearchRepository(Repository):
    """Searches over clients and orders, and the reads behind an order's history."""

    def clients(self, text: str, digits: str | None, limit: int) -> list[Client]:
        """Clients whose name or email holds ``text``, or whose phone holds ``digits``.

        Parameters
        ----------
        text
            Compared case-insensitively with names and emails.
        digits
            The digits of a phone number, or ``None`` when the query is not one.
        limit
            At most this many clients, by name.
        """
        c = t.clients.c
        pattern = f"%{_like_escaped(text.lower())}%"
        matches = [
            sa.func.lower(c.name).like(pattern, escape=_ESCAPE),
            sa.func.lower(c.contact_email).like(pattern, escape=_ESCAPE),
        ]
        if digits:
            matches.append(_digits_only(c.contact_phone).like(f"%{digits}%"))
        query = sa.select(t.clients).where(sa.or_(*matches)).order_by(c.name, c.id).limit(limit)
        return [ser.client_from_row(r) for r in self._session.execute(query).mappings()]

    def orders(
        self, text: str, client_ids: Iterable[str], limit: int, day: date | None = None
    ) -> list[OrderHit]:
        """Orders with id ``text``, a reference starting with ``text``, or of ``client_ids``.

        The newest delivery days come first; ``day`` keeps only that day's orders.
        """
        o, c = t.orders.c, t.clients.c
        prefix = f"{_like_escaped(text.lower())}%"
        matches = [o.id == text, sa.func.lower(o.reference).like(prefix, escape=_ESCAPE)]
        ids = list(dict.fromkeys(client_ids))
        if ids:
            matches.append(o.client_id.in_(ids))
        query = (
            sa.select(o.id, o.reference, o.client_id, c.name, o.date, o.state, o.address)
            .join(t.clients, t.clients.c.id == o.client_id)
            .where(sa.or_(*matches))
            .order_by(o.date.desc(), o.reference, o.id)
            .limit(limit)
        )
        if day is not None:
            query = query.where(o.date == day)
        return [
            OrderHit(
                order_id=row.id,
                reference=row.reference,
                client_id=row.client_id,
                client_name=row.name,
                date=row.date,
                state=OrderState(row.state),
                address=row.address,
            )
            for row in self._session.execute(query)
        ]

    def order_created_at(self, order_id: str) -> datetime | None:
        """When the order was received, or ``None`` for an unknown order."""
        query = sa.select(t.orders.c.created_at).where(t.orders.c.id == order_id)
        created: datetime | None = self._session.execute(query).scalar_one_or_none()
        return created

    def events_of(self, type_names: Iterable[str], since: datetime) -> list[LoggedEvent]:
        """Events of the given types that occurred at or after ``since``, oldest first."""
        e = t.events.c
        query = (
            sa.select(t.events)
            .where(e.type.in_(sorted(set(type_names))), e.occurred_at >= since)
            .order_by(e.seq)
        )
        return [
            LoggedEvent(
                seq=r["seq"],
                event=ser.event_from_payload(r["type"], r["occurred_at"], r["payload"]),
                recorded_at=r["recorded_at"],
            )
            for r in self._session.execute(query).mappings()
        ]

    def inquiries_per_order(self, order_ids: Iterable[str]) -> dict[str, int]:
        """How many inquiries each of these orders had (orders without any left out)."""
        i = t.inquiries.c
        counts: Counter[str] = Counter()
        for batch in chunks(set(order_ids)):
            query = (
                sa.select(i.order_id, sa.func.count())
                .where(i.order_id.in_(batch))
                .group_by(i.order_id)
            )
            for order_id, count in self._session.execute(query):
                counts[order_id] += int(count)
        return dict(counts)
