"""Ranked what-if options for a broken-down truck, each a short solve of its neighbourhood.

Only the trucks that can help are re-planned (the ``neighbours`` nearest working trucks
to the breakdown whose skills fit at least one of its stops), which keeps each solve to a
few hundred stops whatever the fleet's size. The options:

- **rescue**: a spare truck (an idle one, else the neighbour with room for the whole load
  and the most time left) drives to the broken truck, takes its load over in
  ``transfer_s`` and serves its stops (and its own); the load is then on the rescuer, so
  only the rescuer may serve those stops;
- **redistribute**: the neighbours take the stops after a reload at the depot (their own
  stops may come before or after the reload);
- **postpone**: the affected orders of the lowest priority (4 and 5, else the lowest
  third) move to tomorrow with notice, and the rest are redistributed.

Each option is ranked by one score, :func:`option_score`, in which priority-weighted
lateness (an order left out or postponed counts as hours of it) outweighs cost.
The solves run in a pool of two processes when ``parallel`` (the second core), kept by
:mod:`fleetline.planning.worker_processes`: the services stop it when they close, and so
does the exit of the process; the next parallel options start it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from fleetline.domain.live import ExceptionOption, Impact, VehicleStatus
from fleetline.domain.model import Location, OrderState
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.planning.live_problem import (
    DEFAULT_PENALTIES,
    WORKING,
    LiveContext,
    ReplanPenalties,
    VehicleStart,
    build_live_problem,
)
from fleetline.planning.problem import RoutingProblem
from fleetline.planning.replan import Replan, solve_live
from fleetline.planning.worker_processes import what_if_pool

LATENESS_PRICE = 100.0
"""Currency per priority-weighted minute of lateness in the option score."""
TRANSFER_S = 1200
"""Time to move a load from a broken truck to its rescuer."""
NEIGHBOURS = 8

log = logging.getLogger(__name__)


def option_score(impact: Impact) -> float:
    """Rank key of an option: lateness (weighted by priority) dominates, then cost."""
    return impact.priority_weighted_lateness * LATENESS_PRICE + impact.cost


@dataclass(frozen=True, slots=True)
class _WhatIf:
    kind: str
    problem: RoutingProblem
    context: LiveContext
    postponed: tuple[str, ...] = ()
    rescuer: str | None = None
    meet_at_s: int = 0
    transfer_s: int = 0


def _solve(
    what: _WhatIf, penalties: ReplanPenalties, time_limit_s: float, iterations: int | None
) -> Replan:
    return solve_live(
        what.problem,
        what.context,
        penalties=penalties,
        time_limit_s=time_limit_s,
        max_iterations=iterations,
        postponed=what.postponed,
    )


def _solve_all(
    what_ifs: Sequence[_WhatIf],
    limits: Sequence[float],
    penalties: ReplanPenalties,
    iterations: int | None,
    parallel: bool,
) -> list[Replan]:
    """Solve each what-if, side by side on the workers when ``parallel``.

    When the workers are being stopped meanwhile (the services close), the what-ifs not
    yet handed to them are solved here instead.
    """
    jobs = list(zip(what_ifs, limits, strict=True))
    if not parallel or len(jobs) < 2:
        return [_solve(w, penalties, limit, iterations) for w, limit in jobs]
    pool = what_if_pool()
    futures = []
    for what, limit in jobs:
        try:
            futures.append(pool.submit(_solve, what, penalties, limit, iterations))
        except RuntimeError:  # the workers were stopped after we took them
            log.info("what-if workers stopped: solving the remaining options in this process")
            break
    solved = [f.result() for f in futures]
    return solved + [_solve(w, penalties, limit, iterations) for w, limit in jobs[len(solved) :]]


def _start_of(run: VehicleRun) -> Location:
    first = run.remaining[0] if run.remaining else None
    return (
        first.location if first is not None and first.state is OrderState.ARRIVED else run.position
    )


def _covers(run: VehicleRun, stops: Sequence[RemainingStop]) -> bool:
    return any(s.required_skills <= run.vehicle.skills for s in stops)


def _room(run: VehicleRun, stops: Sequence[RemainingStop]) -> bool:
    names = {n for s in stops for n in s.demand}
    return all(
        run.vehicle.capacity.get(n, 0) - run.on_board.get(n, 0)
        >= sum(s.demand.get(n, 0) for s in stops)
        for n in names
    ) and all(s.required_skills <= run.vehicle.skills for s in stops)


def _slack(run: VehicleRun, snapshot: DaySnapshot) -> float:
    last = max((s.planned_eta for s in run.remaining if s.planned_eta), default=snapshot.now)
    return (run.shift_end - max(last, snapshot.now)).total_seconds()


def _neighbourhood(
    snapshot: DaySnapshot,
    broken: VehicleRun,
    travel_times: TravelTimes,
    count: int,
) -> tuple[list[VehicleRun], dict[str, int]]:
    """The working trucks nearest to the breakdown that can take one of its stops."""
    runs = [r for r in snapshot.vehicles if r.status in WORKING and r is not broken]
    places = [broken.position, *(_start_of(r) for r in runs)]
    matrix = travel_times.matrix(places, snapshot.now)
    to_site = {r.vehicle_id: int(matrix.durations[i + 1, 0]) for i, r in enumerate(runs)}
    able = [r for r in runs if _covers(r, broken.remaining)]
    able.sort(key=lambda r: to_site[r.vehicle_id])
    return able[:count], to_site


def _rescuer(
    snapshot: DaySnapshot, broken: VehicleRun, near: Sequence[VehicleRun], to_site: dict[str, int]
) -> VehicleRun | None:
    """An idle truck with room for the whole load, else the roomy neighbour with most time."""
    idle = [
        r
        for r in snapshot.vehicles
        if r.status in WORKING
        and not r.remaining
        and r is not broken
        and _room(r, broken.remaining)
    ]
    if idle:
        return min(idle, key=lambda r: to_site.get(r.vehicle_id, 10**9))
    roomy = [r for r in near if _room(r, broken.remaining)]
    return max(roomy, key=lambda r: _slack(r, snapshot), default=None)


def _postponed(stops: Sequence[RemainingStop]) -> tuple[str, ...]:
    low = [s for s in stops if s.priority >= 4]
    if not low:
        ranked = sorted(stops, key=lambda s: (-s.priority, -s.time_windows[-1].end.timestamp()))
        low = ranked[: max(1, len(stops) // 3)]
    return tuple(s.order_id for s in low)


def _what_ifs(
    snapshot: DaySnapshot,
    broken: VehicleRun,
    travel_times: TravelTimes,
    penalties: ReplanPenalties,
    neighbours: int,
    transfer_s: int,
) -> list[_WhatIf]:
    near, to_site = _neighbourhood(snapshot, broken, travel_times, neighbours)
    scope = {broken.vehicle_id, *(r.vehicle_id for r in near)}
    affected = tuple(s.order_id for s in broken.remaining)
    found: list[_WhatIf] = []
    rescuer = _rescuer(snapshot, broken, near, to_site)
    if rescuer is not None:
        # A rescuer that was elsewhere reaches the site after its own drive there.
        meet = snapshot.now + timedelta(seconds=to_site.get(rescuer.vehicle_id, 0) + transfer_s)
        problem, context = build_live_problem(
            snapshot,
            travel_times,
            vehicles={broken.vehicle_id, rescuer.vehicle_id},
            penalties=penalties,
            starts={rescuer.vehicle_id: VehicleStart(broken.position, meet)},
            carriers=dict.fromkeys(affected, rescuer.vehicle_id),
        )
        found.append(
            _WhatIf(
                "rescue",
                problem,
                context,
                (),
                rescuer.vehicle_id,
                context.seconds(meet),
                transfer_s,
            )
        )
    problem, context = build_live_problem(
        snapshot, travel_times, vehicles=scope, penalties=penalties
    )
    found.append(_WhatIf("redistribute", problem, context))
    later = _postponed(broken.remaining)
    if len(later) < len(affected) or not found:
        problem, context = build_live_problem(
            snapshot,
            travel_times,
            vehicles=scope,
            penalties=penalties,
            skip_orders=frozenset(later),
        )
        found.append(_WhatIf("postpone", problem, context, later))
    return found


def _summary(what: _WhatIf, result: Replan, broken: VehicleRun, names: dict[str, str]) -> str:
    impact = result.impact
    served = {s.order_id for r in result.routes for s in r.stops}
    taken = [s.order_id for s in broken.remaining if s.order_id in served]
    helpers = sorted({new for _, _, new in result.diff.moved})
    tail = (
        f"{impact.late_orders} late, {impact.unserved_orders} not served today, "
        f"{impact.clients_to_notify} clients to notify, "
        f"{impact.extra_distance_m / 1000:+.0f} km, {impact.cost:+.0f} cost"
    )
    if what.kind == "rescue" and what.rescuer is not None:
        meet = what.context.clock(what.meet_at_s)
        return (
            f"{names[what.rescuer]} takes over the load at {meet} and serves "
            f"{len(taken)} of {len(broken.remaining)} stops; {tail}"
        )
    trucks = ", ".join(names[h] for h in helpers) or "no truck"
    if what.kind == "postpone":
        return (
            f"{len(what.postponed)} lowest-priority stops move to tomorrow; {trucks} "
            f"reload and take {len(taken)}; {tail}"
        )
    total = len(broken.remaining)
    return f"{trucks} reload at the depot and take {len(taken)} of {total} stops; {tail}"


def _changes(what: _WhatIf, result: Replan, broken: VehicleRun) -> dict[str, object]:
    changes: dict[str, object] = {
        "routes": {
            r.vehicle_id: [s.order_id for s in r.stops]
            for r in result.routes
            if r.vehicle_id != broken.vehicle_id
        },
        "postponed": list(what.postponed),
        "unassigned": [
            {"order_id": u.order_id, "reason_code": u.reason_code.value, "reason": u.reason}
            for u in result.unassigned
        ],
        "reloads": {
            r.vehicle_id: [what.context.at(t, r.vehicle_id).isoformat() for _, t in r.reloads]
            for r in result.solution.routes
            if r.reloads
        },
        "service_starts": {
            s.order_id: s.service_start.isoformat() for r in result.routes for s in r.stops
        },
        "moved": [list(m) for m in result.diff.moved],
        "late": dict(result.late),
    }
    if what.rescuer is not None:
        changes["rescue"] = {
            "vehicle_id": what.rescuer,
            "from_vehicle_id": broken.vehicle_id,
            "meet_at": what.context.at(what.meet_at_s, what.rescuer).isoformat(),
            "location": {"lat": broken.position.lat, "lon": broken.position.lon},
            "transfer_s": what.transfer_s,
        }
    return changes


def rank(options: Sequence[ExceptionOption]) -> list[ExceptionOption]:
    """Sort options by :func:`option_score` and number them from 1."""
    ordered = sorted(options, key=lambda o: option_score(o.impact))
    return [replace(o, rank=i) for i, o in enumerate(ordered, start=1)]


def breakdown_options(
    snapshot: DaySnapshot,
    broken_vehicle_id: str,
    travel_times: TravelTimes,
    *,
    time_limit_s: float = 2.0,
    max_iterations: int | None = None,
    neighbours: int = NEIGHBOURS,
    penalties: ReplanPenalties = DEFAULT_PENALTIES,
    transfer_s: int = TRANSFER_S,
    parallel: bool = True,
) -> list[ExceptionOption]:
    """Compute 2 to 3 ranked ways to serve the stops of a broken-down truck.

    Parameters
    ----------
    snapshot
        The live day (the truck is broken down in it, or is taken to be).
    broken_vehicle_id
        The truck that broke down.
    travel_times
        Durations and distances, departing now.
    time_limit_s
        Wall-clock limit of each solve.
    max_iterations
        Iteration limit of each solve (with the seed, a repeatable answer).
    neighbours
        How many nearby trucks may help.
    penalties
        Costs of change.
    transfer_s
        Time to move the load onto a rescuer.
    parallel
        Solve the options in two processes.

    Returns
    -------
    list[ExceptionOption]
        Options by rank (1 first), each with its impact, a one-line summary and, in
        ``changes``, the new routes (vehicle id -> order ids), the postponed and unserved
        orders, reloads, moves and the rescue.

    Raises
    ------
    KeyError
        When the snapshot has no such vehicle.
    """
    run = snapshot.run_of(broken_vehicle_id)
    if run is None:
        raise KeyError(broken_vehicle_id)
    broken = replace(run, status=VehicleStatus.BROKEN_DOWN)
    day = replace(
        snapshot,
        vehicles=tuple(broken if r is run else r for r in snapshot.vehicles),
    )
    what_ifs = _what_ifs(day, broken, travel_times, penalties, neighbours, transfer_s)
    limits = [time_limit_s / 4 if w.kind == "rescue" else time_limit_s for w in what_ifs]
    results = _solve_all(what_ifs, limits, penalties, max_iterations, parallel)
    names = {r.vehicle_id: r.vehicle.name for r in snapshot.vehicles}
    options = [
        ExceptionOption(
            id=f"{w.kind}-{broken_vehicle_id}",
            kind=w.kind,
            summary=_summary(w, result, broken, names),
            impact=result.impact,
            rank=0,
            changes=_changes(w, result, broken),
        )
        for w, result in zip(what_ifs, results, strict=True)
    ]
    return rank(options)
