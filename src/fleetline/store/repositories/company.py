"""The company's settings: one row, written when the first depot is created or by an admin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from fleetline.domain.company import CompanyZone, ZoneSource
from fleetline.store import tables as t
from fleetline.store.repositories.base import Repository

_ROW_ID = 1


class CompanySettingsRepository(Repository):
    """The company's time zone, stored once for the whole company."""

    def zone(self) -> CompanyZone | None:
        """The stored time zone, or ``None`` when it was never stored."""
        row = (
            self._session.execute(
                sa.select(t.company_settings).where(t.company_settings.c.id == _ROW_ID)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return CompanyZone(
            timezone=row["timezone"],
            source=ZoneSource(row["timezone_source"]),
            depot_id=row["timezone_depot_id"],
            changed_at=row["timezone_changed_at"],
            changed_by=row["timezone_changed_by"],
        )

    def set_zone(self, zone: CompanyZone) -> None:
        """Store ``zone``, replacing the one stored before (stamped now when it has no time)."""
        values = _row(zone, self._now())
        updated = self._session.execute(
            sa.update(t.company_settings).where(t.company_settings.c.id == _ROW_ID).values(**values)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            self._session.execute(sa.insert(t.company_settings).values(id=_ROW_ID, **values))

    def set_zone_if_unset(self, zone: CompanyZone) -> bool:
        """Store ``zone`` unless a zone is stored already; ``True`` when it was stored.

        Two first depots created at once store one zone: the other insert is skipped.
        """
        values = {"id": _ROW_ID, **_row(zone, self._now())}
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(t.company_settings)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(t.company_settings.c.id)
        )
        return self._session.execute(statement).first() is not None


def _row(zone: CompanyZone, now: datetime) -> dict[str, Any]:
    return {
        "timezone": zone.timezone,
        "timezone_source": zone.source.value,
        "timezone_depot_id": zone.depot_id,
        "timezone_changed_at": zone.changed_at or now,
        "timezone_changed_by": zone.changed_by,
    }
