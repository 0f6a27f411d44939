"""Positions: every ping kept once, append-only, and the last position of each vehicle.

A position is identified by its vehicle and its device time (``recorded_at``): the same
ping sent twice (a retry, a tracker replaying its buffer) is stored once and counted as a
duplicate. The last position of a vehicle only ever moves forward in device time, so a
ping that arrives late is kept in the track but never moves the vehicle backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from fleetline.domain.live import Position
from fleetline.domain.model import Location
from fleetline.operations.ports import IngestResult
from fleetline.store import tables as t
from fleetline.store.repositories.base import Repository, integrity_error, storable

LATEST_COLUMNS = ("recorded_at", "received_at", "lat", "lon", "speed_mps", "heading", "source")
"""What a newer position overwrites in ``last_positions``."""

_PG_ARRAYS = ", ".join(
    f"CAST(:{name} AS {kind}[])"
    for name, kind in zip(
        ("vehicle_id", *LATEST_COLUMNS),
        (
            "varchar",
            "timestamptz",
            "timestamptz",
            "float8",
            "float8",
            "float8",
            "float8",
            "varchar",
        ),
        strict=True,
    )
)
_PG_COLUMNS = ", ".join(("vehicle_id", *LATEST_COLUMNS))
PG_INSERT_POSITIONS = sa.text(
    f"INSERT INTO positions ({_PG_COLUMNS}) SELECT * FROM unnest({_PG_ARRAYS}) "
    "ON CONFLICT (vehicle_id, recorded_at) DO NOTHING RETURNING vehicle_id, recorded_at"
)
"""PostgreSQL: a whole batch as one array per column, one short statement whatever its size."""
PG_MOVE_LAST_POSITIONS = sa.text(
    f"INSERT INTO last_positions ({_PG_COLUMNS}) SELECT * FROM unnest({_PG_ARRAYS}) "
    "ON CONFLICT (vehicle_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in LATEST_COLUMNS)
    + " WHERE last_positions.recorded_at < excluded.recorded_at RETURNING vehicle_id"
)
"""PostgreSQL: upsert the last positions, only where the new one is later."""


def _row(position: Position) -> dict[str, Any]:
    return {
        "vehicle_id": position.vehicle_id,
        "recorded_at": position.recorded_at,
        "received_at": position.received_at,
        "lat": position.location.lat,
        "lon": position.location.lon,
        "speed_mps": position.speed_mps,
        "heading": position.heading,
        "source": position.source,
    }


def _position(row: sa.RowMapping) -> Position:
    return Position(
        vehicle_id=row["vehicle_id"],
        location=Location(row["lat"], row["lon"]),
        recorded_at=row["recorded_at"],
        received_at=row["received_at"],
        speed_mps=row["speed_mps"],
        heading=row["heading"],
        source=row["source"],
    )


class PositionRepository(Repository):
    """Positions of the fleet: the full track and the last position per vehicle."""

    def _postgresql(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def _execute_batch(
        self, rows: list[dict[str, Any]], postgresql_statement: sa.TextClause, other: Any
    ) -> list[Any]:
        """Run a batch statement; on PostgreSQL as columns of arrays, elsewhere executemany."""
        if self._postgresql():
            columns = {name: [row[name] for row in rows] for name in rows[0]}
            return list(self._session.execute(postgresql_statement, columns))
        return list(self._session.execute(other, rows))

    def ingest(self, positions: Sequence[Position]) -> IngestResult:
        """Store new positions, skip the ones already stored, move last positions forward.

        Parameters
        ----------
        positions
            Positions in any order; thousands are fine. Two with the same vehicle and
            ``recorded_at`` are the same ping: the first one given (or stored) is kept.

        Returns
        -------
        IngestResult
            ``accepted`` positions newly stored, ``duplicates`` skipped (already stored
            or repeated in ``positions``), and how many vehicles' last positions
            ``moved`` forward.

        Raises
        ------
        NotFound
            When a vehicle does not exist (nothing is written then, once the unit of work
            rolls back).
        """
        unique: dict[tuple[str, datetime], dict[str, Any]] = {}
        for position in positions:
            unique.setdefault((position.vehicle_id, position.recorded_at), _row(position))
        # A fixed order keeps concurrent writers from locking rows in opposite orders.
        rows = storable([unique[key] for key in sorted(unique)])
        if not rows:
            return IngestResult(accepted=0, duplicates=len(positions), moved=0)
        columns = t.positions.c
        # Elsewhere (SQLite): one statement, many parameter sets, sent as multi-row VALUES;
        # RETURNING names what was inserted, skipped rows return nothing.
        sqlite_statement = (
            sqlite.insert(t.positions)
            .on_conflict_do_nothing(index_elements=["vehicle_id", "recorded_at"])
            .returning(columns.vehicle_id, columns.recorded_at)
        )
        try:
            returned = self._execute_batch(rows, PG_INSERT_POSITIONS, sqlite_statement)
        except IntegrityError as exc:
            raise integrity_error(exc, "position") from exc
        stored = {(r[0], r[1]) for r in returned}
        accepted = [row for row in rows if (row["vehicle_id"], row["recorded_at"]) in stored]
        moved = self._move_last_positions(accepted)
        return IngestResult(
            accepted=len(accepted), duplicates=len(positions) - len(accepted), moved=moved
        )

    def _move_last_positions(self, accepted: list[dict[str, Any]]) -> int:
        """Upsert the latest accepted position of each vehicle, only if it is newer."""
        latest: dict[str, dict[str, Any]] = {}
        for row in accepted:
            current = latest.get(row["vehicle_id"])
            if current is None or row["recorded_at"] > current["recorded_at"]:
                latest[row["vehicle_id"]] = row
        if not latest:
            return 0
        insert = sqlite.insert(t.last_positions)
        excluded = insert.excluded
        sqlite_statement = insert.on_conflict_do_update(
            index_elements=["vehicle_id"],
            set_={name: excluded[name] for name in LATEST_COLUMNS},
            where=t.last_positions.c.recorded_at < excluded.recorded_at,
        ).returning(t.last_positions.c.vehicle_id)
        rows = [latest[vehicle_id] for vehicle_id in sorted(latest)]
        return len(self._execute_batch(rows, PG_MOVE_LAST_POSITIONS, sqlite_statement))

    def last(self, vehicle_id: str) -> Position | None:
        """The latest position of the vehicle by device time, or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.last_positions).where(t.last_positions.c.vehicle_id == vehicle_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else _position(row)

    def last_all(self) -> list[Position]:
        """The latest position of every vehicle that has one, by vehicle id."""
        rows = self._session.execute(
            sa.select(t.last_positions).order_by(t.last_positions.c.vehicle_id)
        ).mappings()
        return [_position(r) for r in rows]

    def track(
        self, vehicle_id: str, since: datetime, until: datetime | None = None
    ) -> list[Position]:
        """The vehicle's positions from ``since`` to ``until``, oldest first.

        ``since`` is inclusive, ``until`` exclusive (open when ``None``); both compare
        with the device time ``recorded_at``.
        """
        columns = t.positions.c
        query = sa.select(t.positions).where(
            columns.vehicle_id == vehicle_id, columns.recorded_at >= since
        )
        if until is not None:
            query = query.where(columns.recorded_at < until)
        rows = self._session.execute(query.order_by(columns.recorded_at)).mappings()
        return [_position(r) for r in rows]

    def count(self, vehicle_id: str | None = None) -> int:
        """How many positions are stored, of one vehicle or of all."""
        query = sa.select(sa.func.count()).select_from(t.positions)
        if vehicle_id is not None:
            query = query.where(t.positions.c.vehicle_id == vehicle_id)
        return int(self._session.execute(query).scalar_one())
