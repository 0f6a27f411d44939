"""The versions of a day's plan, and what each one changed against the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fleetline.domain.errors import NotFound
from fleetline.domain.model import Plan, PlannedStop, PlanSource
from fleetline.operations.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class VersionSummary:
    """One version of a day's plan, as a dispatcher lists them."""

    plan_id: str
    version: int
    source: PlanSource
    trigger: str
    created_at: datetime
    live: bool
    status: str
    distance_m: int
    stops: int
    late_stops: int
    unassigned: int
    previous_plan_id: str | None


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """What a version changed against the one before it.

    Attributes
    ----------
    moved
        ``(order_id, reference, from_vehicle_id, to_vehicle_id)`` of stops on another truck.
    resequenced
        Trucks that visit the stops they kept in another order.
    added, dropped
        Orders served now and not before, and the other way round.
    """

    plan_id: str
    previous_plan_id: str | None
    moved: tuple[tuple[str, str, str, str], ...]
    resequenced: tuple[str, ...]
    added: tuple[str, ...]
    dropped: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not (self.moved or self.resequenced or self.added or self.dropped)


def planned_late(stop: PlannedStop) -> bool:
    """Whether a plan serves a stop after its last window closes."""
    return bool(stop.time_windows) and stop.service_start > max(w.end for w in stop.time_windows)


def _trigger(plan: Plan, decided: dict[str, str]) -> str:
    if plan.id in decided:
        return decided[plan.id]
    return {
        PlanSource.OPTIMIZED: "day plan",
        PlanSource.IMPORTED: "imported",
        PlanSource.REVISED: "re-plan or manual edit",
    }[plan.source]


def day_versions(uow: UnitOfWork, day: date) -> list[VersionSummary]:
    """Every version of ``day``'s plan, newest first, with why it was made.

    A revision chosen as an exception's option names that exception's kind as trigger.
    """
    plans = uow.plans.list_by_date(day)
    live = uow.plans.live_for(day)
    decided = {
        e.plan_id: f"exception: {e.kind.value.replace('_', ' ')}"
        for e in uow.exceptions.list(day=day, status=None)
        if e.plan_id
    }
    return [
        VersionSummary(
            plan_id=p.id,
            version=p.version,
            source=p.source,
            trigger=_trigger(p, decided),
            created_at=p.created_at,
            live=live is not None and live.id == p.id,
            status=p.status.value,
            distance_m=p.distance_m,
            stops=sum(len(r.stops) for r in p.routes),
            late_stops=sum(1 for r in p.routes for s in r.stops if planned_late(s)),
            unassigned=len(p.unassigned),
            previous_plan_id=p.parent_id,
        )
        for p in sorted(plans, key=lambda p: p.version, reverse=True)
    ]


def _previous(uow: UnitOfWork, plan: Plan) -> Plan | None:
    if plan.parent_id:
        return uow.plans.get(plan.parent_id)
    earlier = [p for p in uow.plans.list_by_date(plan.date) if p.version < plan.version]
    return max(earlier, key=lambda p: p.version) if earlier else None


def version_diff(uow: UnitOfWork, plan_id: str) -> VersionDiff:
    """What plan ``plan_id`` changed against its parent (else the version before it).

    Raises
    ------
    NotFound
        When the plan does not exist.
    """
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound("plan", plan_id)
    previous = _previous(uow, plan)
    new_routes = {r.vehicle_id: [s.order_id for s in r.stops] for r in plan.routes}
    old_routes = (
        {r.vehicle_id: [s.order_id for s in r.stops] for r in previous.routes} if previous else {}
    )
    new_of = {o: v for v, seq in new_routes.items() for o in seq}
    old_of = {o: v for v, seq in old_routes.items() for o in seq}
    references = {o.id: o.reference or o.id for o in uow.orders.get_many({*new_of, *old_of})}
    moved = tuple(
        (o, references.get(o, o), old_of[o], v)
        for o, v in sorted(new_of.items())
        if o in old_of and old_of[o] != v
    )
    resequenced = []
    for vehicle_id, sequence in sorted(new_routes.items()):
        before = old_routes.get(vehicle_id, [])
        kept_new = [o for o in sequence if o in set(before)]
        kept_old = [o for o in before if o in set(sequence)]
        if kept_new != kept_old:
            resequenced.append(vehicle_id)
    return VersionDiff(
        plan_id=plan.id,
        previous_plan_id=previous.id if previous else None,
        moved=moved,
        resequenced=tuple(resequenced),
        added=tuple(sorted(set(new_of) - set(old_of))) if previous else (),
        dropped=tuple(sorted(set(old_of) - set(new_of))),
    )
