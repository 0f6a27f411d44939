"""Re-plans of a neighbourhood of the fleet, judged against the plan in force.

The re-optimization policy (:mod:`fleetline.operations.replanning`) and the exceptions it
opens share what is here: which trucks to re-plan around a disruption (the trucks
concerned plus the few nearest working ones), one short solve of them, how it compares
with the plan in force, and the option a dispatcher sees, whose ``changes`` the resolve
endpoint applies as a new live plan version.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from fleetline.domain.live import (
    Area,
    ExceptionKind,
    ExceptionOption,
    OperationalException,
)
from fleetline.domain.model import Location
from fleetline.domain.snapshot import DaySnapshot, RemainingStop
from fleetline.network.base import TravelTimes
from fleetline.network.crowflies import great_circle_m
from fleetline.network.traffic_geometry import local_area, points_in_polygon, project
from fleetline.operations.exceptions import OptionsFinder
from fleetline.planning.impact import assess, plan_in_force
from fleetline.planning.live_problem import (
    DEFAULT_PENALTIES,
    WORKING,
    ReplanPenalties,
    build_live_problem,
)
from fleetline.planning.replan import Replan, solve_live

NEIGHBOURS = 3
"""Working trucks nearest to a disruption that are re-planned with the trucks concerned."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """A neighbourhood re-plan and how the plan in force fares on the same problem.

    Attributes
    ----------
    replan
        The re-plan of the vehicles in scope.
    late_before, unserved_before, weighted_before
        Late and unserved orders in scope, and their priority-weighted lateness, if
        nothing changes.
    late_orders_before
        The orders the plan in force serves late.
    on_route
        Orders that were on a route in scope (as opposed to orders not yet planned).
    """

    replan: Replan
    late_before: int
    unserved_before: int
    weighted_before: float
    late_orders_before: frozenset[str]
    on_route: frozenset[str]

    @property
    def not_worse(self) -> bool:
        """Leaves out no order that is on a route, and adds no priority-weighted lateness.

        Lateness is weighted by priority, and an order not served today counts as hours
        of it (see :mod:`fleetline.planning.impact`): placing an urgent order may make
        another stop a little late, but never a planned order go unserved.
        """
        return (
            not self.dropped
            and self.replan.impact.priority_weighted_lateness <= self.weighted_before
        )

    @property
    def changes_something(self) -> bool:
        """Whether applying the re-plan would change any route."""
        diff = self.replan.diff
        return bool(diff.moved or diff.resequenced_vehicles or self.dropped)

    @property
    def dropped(self) -> tuple[str, ...]:
        """Orders on a route now that the re-plan leaves out."""
        return tuple(o for o in self.replan.diff.dropped if o in self.on_route)

    def unmet(self, order_id: str) -> bool:
        """Whether the re-plan serves ``order_id`` late or not at all."""
        served = {s.order_id for r in self.replan.routes for s in r.stops}
        return order_id in self.replan.late or order_id not in served


def working_runs(snapshot: DaySnapshot) -> list[str]:
    """Ids of the vehicles that can take stops now (on duty or delayed)."""
    return [run.vehicle_id for run in snapshot.vehicles if run.status in WORKING]


def carriers(snapshot: DaySnapshot) -> dict[str, str]:
    """The vehicle each remaining stop of the live plan is on."""
    return {s.order_id: run.vehicle_id for run in snapshot.vehicles for s in run.remaining}


def stops_by_id(snapshot: DaySnapshot) -> dict[str, RemainingStop]:
    """Every remaining and unplanned stop of the day, by order id."""
    found = {s.order_id: s for s in snapshot.unplanned}
    found.update({s.order_id: s for run in snapshot.vehicles for s in run.remaining})
    return found


def neighbourhood(
    snapshot: DaySnapshot,
    orders: Iterable[str] = (),
    vehicles: Iterable[str] = (),
    count: int = NEIGHBOURS,
) -> set[str]:
    """The working vehicles to re-plan around some orders and vehicles.

    Parameters
    ----------
    snapshot
        The live day.
    orders
        Orders concerned: their carriers are in scope, and their places are where the
        nearest trucks are looked for.
    vehicles
        Vehicles concerned (their positions count as places too).
    count
        How many other working trucks, nearest by straight line, join the scope.

    Returns
    -------
    set of str
        Vehicle ids, only working ones.
    """
    working = working_runs(snapshot)
    on = carriers(snapshot)
    stops = stops_by_id(snapshot)
    scope = {on[o] for o in orders if o in on} | set(vehicles)
    scope &= set(working)
    places: list[Location] = [stops[o].location for o in orders if o in stops]
    places += [run.position for run in snapshot.vehicles if run.vehicle_id in set(vehicles)]
    others = [run for run in snapshot.vehicles if run.vehicle_id in working]
    others = [run for run in others if run.vehicle_id not in scope]
    if places and others and count > 0:
        points = [*places, *(run.position for run in others)]
        metres = great_circle_m([p.lat for p in points], [p.lon for p in points])
        nearest = metres[len(places) :, : len(places)].min(axis=1)
        for index in np.argsort(nearest, kind="stable")[:count]:
            scope.add(others[int(index)].vehicle_id)
    return scope


def inside(area: Area, locations: Sequence[Location]) -> list[bool]:
    """Whether each location lies inside ``area`` (a circle or a polygon)."""
    if not locations:
        return []
    frame = local_area(area)
    points = project([p.lat for p in locations], [p.lon for p in locations], frame.lat0, frame.lon0)
    if frame.polygon is not None:
        return [bool(x) for x in points_in_polygon(points, frame.polygon)]
    return [bool(x) for x in np.hypot(points[:, 0], points[:, 1]) <= frame.radius_m]


def assess_neighbourhood(
    snapshot: DaySnapshot,
    travel_times: TravelTimes,
    scope: set[str],
    *,
    time_limit_s: float,
    max_iterations: int | None = None,
    penalties: ReplanPenalties = DEFAULT_PENALTIES,
) -> Assessment:
    """Re-plan the vehicles in ``scope`` (short solve) and time the plan in force alike.

    The solve stops at ``time_limit_s`` or after ``max_iterations``, the first reached.
    """
    problem, context = build_live_problem(
        snapshot, travel_times, vehicles=scope, penalties=penalties
    )
    _, before, late = assess(problem, context, plan_in_force(problem, context), penalties)
    replan = solve_live(
        problem,
        context,
        penalties=penalties,
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
    )
    on_route = frozenset(o for sequence in context.current.values() for o in sequence)
    on_route |= frozenset(stop.order_id for stop, _ in context.in_service.values())
    return Assessment(
        replan,
        before.late_orders,
        before.unserved_orders,
        before.priority_weighted_lateness,
        frozenset(late),
        on_route,
    )


def describe(assessment: Assessment, names: dict[str, str]) -> str:
    """One readable line from the diff, e.g. ``Moves 3 stops from Truck 07 to Truck 12``."""
    replan = assessment.replan
    moves: dict[tuple[str | None, str], int] = defaultdict(int)
    for _, was, now in replan.diff.moved:
        moves[(was, now)] += 1
    parts = []
    for (was, now), n in sorted(moves.items(), key=lambda item: (-item[1], str(item[0]))):
        stops = f"{n} stop{'s' if n != 1 else ''}"
        if was is None:
            parts.append(f"puts {stops} not yet planned on {names.get(now, now)}")
        else:
            parts.append(f"moves {stops} from {names.get(was, was)} to {names.get(now, now)}")
    moved_to = {now for _, _, now in replan.diff.moved}
    reordered = [v for v in replan.diff.resequenced_vehicles if v not in moved_to]
    if reordered:
        parts.append("reorders the stops of " + ", ".join(names.get(v, v) for v in reordered))
    if assessment.dropped:
        n = len(assessment.dropped)
        parts.append(f"leaves {n} stop{'s' if n != 1 else ''} for a new window")
    impact = replan.impact
    if impact.clients_to_notify:
        n = impact.clients_to_notify
        parts.append(f"{n} client{'s get' if n != 1 else ' gets'} a new window")
    parts.append(
        f"{impact.late_orders} late (was {assessment.late_before}), "
        f"{impact.extra_distance_m / 1000:+.0f} km, {impact.cost:+.0f} cost"
    )
    text = "; ".join(parts) if len(parts) > 1 else "keeps the routes; " + parts[0]
    return text[0].upper() + text[1:]


def revision_routes(assessment: Assessment, snapshot: DaySnapshot) -> dict[str, list[str]]:
    """The new stop sequence of every vehicle whose sequence changes."""
    current = {run.vehicle_id: [s.order_id for s in run.remaining] for run in snapshot.vehicles}
    routes = {r.vehicle_id: [s.order_id for s in r.stops] for r in assessment.replan.routes}
    return {v: seq for v, seq in routes.items() if seq != current.get(v, [])}


def replan_changes(assessment: Assessment, snapshot: DaySnapshot) -> dict[str, object]:
    """A re-plan as an option's ``changes``: routes, orders left out, moves and lateness."""
    replan = assessment.replan
    dropped = set(assessment.dropped)
    return {
        "routes": revision_routes(assessment, snapshot),
        "postponed": [],
        "unassigned": [
            {"order_id": u.order_id, "reason_code": u.reason_code.value, "reason": u.reason}
            for u in replan.unassigned
            if u.order_id in dropped
        ],
        "service_starts": {
            s.order_id: s.service_start.isoformat() for r in replan.routes for s in r.stops
        },
        "moved": [list(m) for m in replan.diff.moved],
        "late": dict(replan.late),
    }


def replan_option(assessment: Assessment, snapshot: DaySnapshot) -> ExceptionOption:
    """The re-plan as the one option of an exception."""
    names = {run.vehicle_id: run.vehicle.name for run in snapshot.vehicles}
    return ExceptionOption(
        id="replan",
        kind="replan",
        summary=describe(assessment, names),
        impact=assessment.replan.impact,
        rank=1,
        changes=replan_changes(assessment, snapshot),
    )


PreparedKey = tuple[ExceptionKind, date, str | None, str | None]


class PreparedOptions:
    """Options computed before their exception was opened, handed to its finder once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._options: dict[PreparedKey, tuple[str | None, list[ExceptionOption]]] = {}

    def put(self, key: PreparedKey, plan_id: str | None, options: list[ExceptionOption]) -> None:
        """Keep ``options`` for the next exception with ``key``, valid on ``plan_id``."""
        with self._lock:
            self._options[key] = (plan_id, options)

    def take(self, key: PreparedKey, plan_id: str | None) -> list[ExceptionOption] | None:
        """Return and forget the options kept for ``key`` if the live plan is still the same."""
        with self._lock:
            found = self._options.pop(key, None)
        if found is None or found[0] != plan_id:
            return None
        return found[1]


def key_of(exception: OperationalException) -> PreparedKey:
    """The key under which an exception's prepared options are kept."""
    return (exception.kind, exception.date, exception.vehicle_id, exception.order_id)


def replan_finders(
    travel_times: TravelTimes,
    time_limit_s: float,
    prepared: PreparedOptions,
    *,
    max_iterations: int | None = None,
) -> dict[ExceptionKind, OptionsFinder]:
    """The options finders of the exceptions the re-optimization policy opens.

    Each answers one option, the re-plan of the neighbourhood of the exception's vehicle
    and affected orders (a solve of ``time_limit_s`` or ``max_iterations``, the first
    reached); options prepared when the exception was opened are used as they are while
    the live plan has not changed since.
    """

    def find(snapshot: DaySnapshot, exception: OperationalException) -> list[ExceptionOption]:
        ready = prepared.take(key_of(exception), snapshot.plan_id)
        if ready is not None:
            return ready
        orders = [a.order_id for a in exception.affected]
        if exception.order_id is not None:
            orders.append(exception.order_id)
        vehicles = [exception.vehicle_id] if exception.vehicle_id else []
        scope = neighbourhood(snapshot, orders, vehicles)
        if not scope:
            return []
        assessment = assess_neighbourhood(
            snapshot,
            travel_times,
            scope,
            time_limit_s=time_limit_s,
            max_iterations=max_iterations,
        )
        return [replan_option(assessment, snapshot)]

    return {
        ExceptionKind.WINDOW_UNMET: find,
        ExceptionKind.VEHICLE_LATE: find,
        ExceptionKind.ROAD_CLOSURE: find,
    }
