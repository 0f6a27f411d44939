"""The exceptions repository: disruptions that need a decision, with their options."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fleetline.domain.errors import NotFound
from fleetline.domain.live import ExceptionStatus, OperationalException
from fleetline.store import serialization_live as ser, tables as t
from fleetline.store.repositories.base import Repository, integrity_error, storable


class ExceptionRepository(Repository):
    """Exceptions, their affected orders and their options, stored whole."""

    def add(self, exception: OperationalException) -> None:
        """Store a new exception.

        Raises
        ------
        Conflict
            On ``id`` when the id is taken.
        """
        try:
            self._session.execute(
                sa.insert(t.exceptions), storable([ser.exception_to_row(exception)])
            )
        except IntegrityError as exc:
            raise integrity_error(exc, "exception", exception.id) from exc

    def get(self, exception_id: str) -> OperationalException | None:
        """Return the exception, or ``None``."""
        row = (
            self._session.execute(sa.select(t.exceptions).where(t.exceptions.c.id == exception_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.exception_from_row(row)

    def update(self, exception: OperationalException) -> None:
        """Replace the stored exception (status, options, resolution...).

        Raises
        ------
        NotFound
            When the exception does not exist.
        """
        values = ser.exception_to_row(exception)
        del values["id"]
        result = self._session.execute(
            sa.update(t.exceptions)
            .where(t.exceptions.c.id == exception.id)
            .values(storable([values])[0])
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("exception", exception.id)

    def list(
        self, day: date | None = None, status: ExceptionStatus | None = None
    ) -> list[OperationalException]:
        """Exceptions, newest first, optionally of one day and in one status.

        Parameters
        ----------
        day
            Only the exceptions of this operating day.
        status
            Only the exceptions in this status.
        """
        columns = t.exceptions.c
        query = sa.select(t.exceptions).order_by(columns.opened_at.desc(), columns.id.desc())
        if day is not None:
            query = query.where(columns.date == day)
        if status is not None:
            query = query.where(columns.status == status.value)
        return [ser.exception_from_row(r) for r in self._session.execute(query).mappings()]
