"""Repositories of the live day (exceptions are in :mod:`.exceptions`).

Vehicle states, stop reports, traffic incidents, ETA predictions and re-planning policies.

Upserts and the de-duplication of stop reports use ``INSERT ... ON CONFLICT`` in the
dialect of the database (SQLite and PostgreSQL both have it), so a repeat never raises
and never aborts the surrounding transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from fleetline.domain.errors import NotFound
from fleetline.domain.live import (
    ReplanMode,
    ReplanTrigger,
    StopEvent,
    TrafficIncident,
    VehicleState,
)
from fleetline.store import serialization_live as ser, tables as t
from fleetline.store.repositories.base import Repository, chunks, integrity_error, storable


class _LiveRepository(Repository):
    """A repository that writes with ``INSERT ... ON CONFLICT`` in the session's dialect."""

    def _insert(self, table: sa.Table) -> Any:
        """An ``INSERT`` on ``table`` that knows ``ON CONFLICT``."""
        name = self._session.get_bind().dialect.name
        if name == "postgresql":
            return postgresql.insert(table)
        if name == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"the store does not support {name}")

    def _upsert(self, table: sa.Table, keys: Sequence[str], values: Mapping[str, Any]) -> None:
        """Insert ``values`` into ``table``, or update the row with the same ``keys``."""
        statement = self._insert(table).values(dict(values))
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys],
            set_={name: statement.excluded[name] for name in values if name not in keys},
        )
        self._session.execute(statement)


class VehicleStateRepository(_LiveRepository):
    """The current status of each vehicle; a vehicle never set has no row (on duty)."""

    def get(self, vehicle_id: str) -> VehicleState | None:
        """Return the vehicle's stored state, or ``None`` when it was never set."""
        row = (
            self._session.execute(
                sa.select(t.vehicle_states).where(t.vehicle_states.c.vehicle_id == vehicle_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else ser.vehicle_state_from_row(row)

    def put(self, state: VehicleState) -> None:
        """Store ``state`` as the vehicle's current one, replacing any previous one.

        Raises
        ------
        NotFound
            On ``vehicle_id`` when the vehicle does not exist.
        """
        try:
            row = storable([ser.vehicle_state_to_row(state)])[0]
            self._upsert(t.vehicle_states, ["vehicle_id"], row)
        except IntegrityError as exc:
            raise NotFound("vehicle", state.vehicle_id, "vehicle_id") from exc

    def list(self) -> list[VehicleState]:
        """Every stored vehicle state, by vehicle id."""
        rows = self._session.execute(
            sa.select(t.vehicle_states).order_by(t.vehicle_states.c.vehicle_id)
        ).mappings()
        return [ser.vehicle_state_from_row(r) for r in rows]


class StopEventRepository(_LiveRepository):
    """Reports from stops; the same report (order, type, device time) is kept once."""

    def add(self, event: StopEvent) -> bool:
        """Store ``event`` unless the same report is already stored.

        A report is the same when its order, type and device time ``at`` are; a repeat
        (a retry, a replayed offline queue) stores nothing, raises nothing and leaves the
        transaction usable.

        Returns
        -------
        bool
            ``True`` when stored, ``False`` when it repeats a stored report.

        Raises
        ------
        Conflict
            On ``id`` when another report already has that id.
        NotFound
            When the order or the vehicle does not exist.
        """
        row = storable([ser.stop_event_to_row(event)])[0]
        columns = t.stop_events.c
        statement = (
            self._insert(t.stop_events)
            .values(row)
            .on_conflict_do_nothing(index_elements=[columns.order_id, columns.type, columns.at])
            .returning(columns.id)
        )
        try:
            stored = self._session.execute(statement).first()
        except IntegrityError as exc:
            raise integrity_error(exc, "stop event", event.id) from exc
        return stored is not None

    def for_order(self, order_id: str) -> list[StopEvent]:
        """The reports of one order, in the order they happened."""
        rows = self._session.execute(
            sa.select(t.stop_events)
            .where(t.stop_events.c.order_id == order_id)
            .order_by(t.stop_events.c.at, t.stop_events.c.id)
        ).mappings()
        return [ser.stop_event_from_row(r) for r in rows]

    def for_vehicle(self, vehicle_id: str, day: date) -> list[StopEvent]:
        """One truck's reports on the orders of ``day``, in the order they happened."""
        rows = self._session.execute(
            sa.select(t.stop_events)
            .join(t.orders, t.orders.c.id == t.stop_events.c.order_id)
            .where(t.stop_events.c.vehicle_id == vehicle_id, t.orders.c.date == day)
            .order_by(t.stop_events.c.at, t.stop_events.c.id)
        ).mappings()
        return [ser.stop_event_from_row(r) for r in rows]

    def for_day(self, day: date) -> list[StopEvent]:
        """The reports of every order of ``day``, in the order they happened."""
        rows = self._session.execute(
            sa.select(t.stop_events)
            .join(t.orders, t.orders.c.id == t.stop_events.c.order_id)
            .where(t.orders.c.date == day)
            .order_by(t.stop_events.c.at, t.stop_events.c.id)
        ).mappings()
        return [ser.stop_event_from_row(r) for r in rows]


class TrafficRepository(Repository):
    """Traffic incidents: closures and slowdowns in an area, for a time."""

    def add(self, incident: TrafficIncident) -> None:
        """Store a new incident, stamped with the clock's ``created_at``.

        Raises
        ------
        Conflict
            On ``id`` when the id is taken.
        """
        row = ser.incident_to_row(incident) | {"created_at": self._now()}
        try:
            self._session.execute(sa.insert(t.traffic_incidents), storable([row]))
        except IntegrityError as exc:
            raise integrity_error(exc, "traffic incident", incident.id) from exc

    def get(self, incident_id: str) -> TrafficIncident | None:
        """Return the incident, or ``None``."""
        row = (
            self._session.execute(
                sa.select(t.traffic_incidents).where(t.traffic_incidents.c.id == incident_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else ser.incident_from_row(row)

    def update(self, incident: TrafficIncident) -> None:
        """Replace the stored incident (its end, factor, area...); ``created_at`` stays.

        Raises
        ------
        NotFound
            When the incident does not exist.
        """
        values = ser.incident_to_row(incident)
        del values["id"]
        result = self._session.execute(
            sa.update(t.traffic_incidents)
            .where(t.traffic_incidents.c.id == incident.id)
            .values(storable([values])[0])
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("traffic incident", incident.id)

    def active(self, moment: datetime) -> list[TrafficIncident]:
        """The incidents in force at ``moment`` (started, not yet ended), oldest first."""
        columns = t.traffic_incidents.c
        rows = self._session.execute(
            sa.select(t.traffic_incidents)
            .where(
                columns.starts_at <= moment,
                sa.or_(columns.ends_at.is_(None), columns.ends_at > moment),
            )
            .order_by(columns.starts_at, columns.id)
        ).mappings()
        return [ser.incident_from_row(r) for r in rows]

    def overlapping(self, start: datetime, end: datetime) -> list[TrafficIncident]:
        """The incidents in force at some moment of ``[start, end)``, oldest first."""
        columns = t.traffic_incidents.c
        rows = self._session.execute(
            sa.select(t.traffic_incidents)
            .where(
                columns.starts_at < end,
                sa.or_(columns.ends_at.is_(None), columns.ends_at > start),
            )
            .order_by(columns.starts_at, columns.id)
        ).mappings()
        return [ser.incident_from_row(r) for r in rows]


class EtaPredictionRepository(Repository):
    """Predicted arrivals, kept to measure ETA accuracy against actual arrivals."""

    def add_many(self, predictions: Sequence[tuple[str, str, datetime, datetime]]) -> None:
        """Store predictions in one bulk insert.

        Parameters
        ----------
        predictions
            ``(order_id, vehicle_id, predicted_at, eta)`` tuples; thousands are fine.

        Raises
        ------
        NotFound
            When an order does not exist; nothing is written then.
        """
        if not predictions:
            return
        rows = storable(
            [
                {"order_id": order_id, "vehicle_id": vehicle_id, "predicted_at": at, "eta": eta}
                for order_id, vehicle_id, at, eta in predictions
            ]
        )
        try:
            self._session.execute(sa.insert(t.eta_predictions), rows)
        except IntegrityError as exc:
            raise integrity_error(exc, "ETA prediction") from exc

    def for_orders(self, order_ids: Iterable[str]) -> list[tuple[str, datetime, datetime]]:
        """The predictions of the given orders as ``(order_id, predicted_at, eta)``.

        Returns
        -------
        list of tuple
            By order id, then oldest prediction first.
        """
        columns = t.eta_predictions.c
        found: list[tuple[str, datetime, datetime, int]] = []
        for batch in chunks(set(order_ids)):
            rows = self._session.execute(
                sa.select(columns.order_id, columns.predicted_at, columns.eta, columns.id).where(
                    columns.order_id.in_(batch)
                )
            )
            found.extend((r[0], r[1], r[2], r[3]) for r in rows)
        found.sort(key=lambda item: (item[0], item[1], item[3]))
        return [(order_id, at, eta) for order_id, at, eta, _ in found]


class ReplanPolicyRepository(_LiveRepository):
    """Per trigger: apply re-plans by themselves, or wait for a dispatcher."""

    def get(self, trigger: ReplanTrigger) -> tuple[ReplanMode, int | None] | None:
        """Return ``(mode, threshold_s)`` for ``trigger``, or ``None`` when never set."""
        row = self._session.execute(
            sa.select(t.replan_policies.c.mode, t.replan_policies.c.threshold_s).where(
                t.replan_policies.c.trigger == trigger.value
            )
        ).first()
        return None if row is None else (ReplanMode(row[0]), row[1])

    def put(self, trigger: ReplanTrigger, mode: ReplanMode, threshold_s: int | None) -> None:
        """Set the policy of ``trigger``, replacing any previous one."""
        values = {"trigger": trigger.value, "mode": mode.value, "threshold_s": threshold_s}
        self._upsert(t.replan_policies, ["trigger"], values)

    def all(self) -> dict[ReplanTrigger, tuple[ReplanMode, int | None]]:
        """Every stored policy, by trigger."""
        rows = self._session.execute(
            sa.select(
                t.replan_policies.c.trigger,
                t.replan_policies.c.mode,
                t.replan_policies.c.threshold_s,
            ).order_by(t.replan_policies.c.trigger)
        )
        return {ReplanTrigger(r[0]): (ReplanMode(r[1]), r[2]) for r in rows}
