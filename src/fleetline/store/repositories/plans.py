"""The plans repository: versions per day and the live plan of each day."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fleetline.domain.errors import NotFound
from fleetline.domain.model import Plan
from fleetline.store import serialization as ser, tables as t
from fleetline.store.repositories.base import Repository, integrity_error, storable

TRUCKS_OF_STOPS_KEPT = 16
"""Plan revisions whose stop-to-truck index is kept (live plans of a few days and stores)."""
_TRUCKS_OF_STOPS: dict[tuple[str, str, int], dict[str, str]] = {}
"""Each kept plan revision's truck of every stop, by database, plan id and revision: a
revision never changes once stored."""


def _truck_of(plan: Plan, order_id: str) -> str | None:
    for route in plan.routes:
        if any(stop.order_id == order_id for stop in route.stops):
            return route.vehicle_id
    return None


class PlanRepository(Repository):
    """Plan versions and the live plan of each day."""

    _stored = False
    """Whether this unit of work stored a plan: it may roll back, so it keeps no index."""

    def add(self, plan: Plan) -> None:
        """Store a new plan version.

        Raises
        ------
        Conflict
            On ``version`` when the day already has that version, on ``id`` when the
            id is taken.
        """
        self._stored = True
        try:
            self._session.execute(sa.insert(t.plans), storable([ser.plan_to_row(plan)]))
        except IntegrityError as exc:
            raise integrity_error(exc, "plan", plan.id) from exc

    def get(self, plan_id: str) -> Plan | None:
        """Return the plan, or ``None``."""
        row = (
            self._session.execute(sa.select(t.plans).where(t.plans.c.id == plan_id))
            .mappings()
            .first()
        )
        return None if row is None else ser.plan_from_row(row)

    def update(self, plan: Plan) -> None:
        """Replace the stored plan (status, routes, dispatch time...).

        Raises
        ------
        NotFound
            When the plan does not exist.
        """
        self._stored = True
        values = ser.plan_to_row(plan)
        del values["id"]
        values = storable([values])[0] | {"revision": t.plans.c.revision + 1}
        try:
            result = self._session.execute(
                sa.update(t.plans).where(t.plans.c.id == plan.id).values(values)
            )
        except IntegrityError as exc:
            raise integrity_error(exc, "plan", plan.id) from exc
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("plan", plan.id)

    def list_by_date(self, day: date) -> list[Plan]:
        """Every version of ``day``'s plan, oldest first."""
        rows = self._session.execute(
            sa.select(t.plans).where(t.plans.c.date == day).order_by(t.plans.c.version)
        ).mappings()
        return [ser.plan_from_row(r) for r in rows]

    def solving(self) -> list[Plan]:
        """Every plan version still waiting for its solve, oldest first."""
        rows = self._session.execute(
            sa.select(t.plans).where(t.plans.c.status == "solving").order_by(t.plans.c.created_at)
        ).mappings()
        return [ser.plan_from_row(r) for r in rows]

    def next_version(self, day: date) -> int:
        """Return the version number a new plan of ``day`` gets (1 for the first)."""
        query = sa.select(sa.func.max(t.plans.c.version)).where(t.plans.c.date == day)
        latest = self._session.execute(query).scalar_one()
        return 1 if latest is None else int(latest) + 1

    def live_id(self, day: date) -> str | None:
        """Return the id of the live plan of ``day``, or ``None``."""
        query = sa.select(t.live_plans.c.plan_id).where(t.live_plans.c.date == day)
        plan_id: str | None = self._session.execute(query).scalar_one_or_none()
        return plan_id

    def live_days(self, since: date) -> list[date]:
        """The days from ``since`` on that have a live plan, earliest first."""
        query = (
            sa.select(t.live_plans.c.date)
            .where(t.live_plans.c.date >= since)
            .order_by(t.live_plans.c.date)
        )
        return list(self._session.execute(query).scalars())

    def live_for(self, day: date) -> Plan | None:
        """Return the live plan of ``day``, or ``None`` before the first dispatch."""
        row = (
            self._session.execute(
                sa.select(t.plans)
                .join(t.live_plans, t.live_plans.c.plan_id == t.plans.c.id)
                .where(t.live_plans.c.date == day)
            )
            .mappings()
            .first()
        )
        return None if row is None else ser.plan_from_row(row)

    def live_revision(self, day: date) -> tuple[str, int] | None:
        """The id and revision of ``day``'s live plan, or ``None``: a read of two values.

        The revision counts the stores of the plan, so a reader holding the plan at the
        same revision holds it as stored.
        """
        row = self._session.execute(
            sa.select(t.plans.c.id, t.plans.c.revision)
            .join(t.live_plans, t.live_plans.c.plan_id == t.plans.c.id)
            .where(t.live_plans.c.date == day)
        ).first()
        return None if row is None else (row[0], int(row[1]))

    def get_revised(self, plan_id: str) -> tuple[Plan, int] | None:
        """Return the plan with its revision, or ``None``."""
        row = (
            self._session.execute(sa.select(t.plans).where(t.plans.c.id == plan_id))
            .mappings()
            .first()
        )
        return None if row is None else (ser.plan_from_row(row), int(row["revision"]))

    def live_vehicle_of(self, day: date, order_id: str) -> str | None:
        """The vehicle whose route holds ``order_id`` in ``day``'s live plan, or ``None``.

        Reads the stored routes without building the plan: every stop report asks, and a
        large fleet's plan holds thousands of stops.
        """
        stamp = self.live_revision(day)
        if stamp is None:
            return None
        kept = (str(self._session.get_bind().engine.url), *stamp)
        trucks = None if self._stored else _TRUCKS_OF_STOPS.get(kept)
        if trucks is None:
            document = self._session.execute(
                sa.select(t.plans.c.document).where(
                    t.plans.c.id == stamp[0], t.plans.c.revision == stamp[1]
                )
            ).scalar_one_or_none()
            if document is None:  # stored again since: read as it is now, next time
                return None if (now := self.get(stamp[0])) is None else _truck_of(now, order_id)
            trucks = ser.vehicles_of_orders(document)
            if self._stored:
                return trucks.get(order_id)
            _TRUCKS_OF_STOPS[kept] = trucks
            while len(_TRUCKS_OF_STOPS) > TRUCKS_OF_STOPS_KEPT:
                _TRUCKS_OF_STOPS.pop(next(iter(_TRUCKS_OF_STOPS)))
        return trucks.get(order_id)

    def set_live(self, day: date, plan_id: str) -> None:
        """Make ``plan_id`` the live plan of ``day`` (see :meth:`live_id` for the previous).

        Raises
        ------
        NotFound
            When the plan does not exist.
        """
        self._stored = True
        previous: str | None = self._session.execute(
            sa.select(t.live_plans.c.plan_id).where(t.live_plans.c.date == day).with_for_update()
        ).scalar_one_or_none()
        try:
            if previous is None:
                self._session.execute(sa.insert(t.live_plans), [{"date": day, "plan_id": plan_id}])
            else:
                self._session.execute(
                    sa.update(t.live_plans)
                    .where(t.live_plans.c.date == day)
                    .values(plan_id=plan_id)
                )
        except IntegrityError as exc:
            if "foreign key" in str(exc.orig).lower():
                raise NotFound("plan", plan_id) from exc
            raise integrity_error(exc, "live plan") from exc
