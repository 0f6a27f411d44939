"""Plan a day of orders: domain objects in, domain routes out.

:func:`build_problem` turns depots, vehicles, orders and clients into a solver-neutral
:class:`RoutingProblem`:

- times become whole seconds from an ``origin`` (by default local midnight of the day in
  the company's time zone, or earlier if a shift or an order's window opens before); each vehicle's
  shift (``HH:MM``) is read in *its own depot's* time zone;
- costs become integer units of a thousandth of a cent (1e-5 of the currency): per-km
  costs become per-metre, per-hour costs per-second;
- an order's priority is its client's (an order may carry its own ``priority``);
- load dimensions are those the vehicles declare, in :data:`LOAD_DIMENSIONS` order; a
  vehicle that does not declare a dimension another vehicle declares has no room in it,
  and a demand in a dimension no vehicle declares is not limited;
- identical locations are asked of the travel-time provider once.

:func:`to_plan_routes` turns a solution back into :class:`Route` and :class:`Unassigned`.
A stop's ``stop_id`` is its order's id (an order is served at most once per plan), so it
is the same in every plan version and independent of the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from fleetline.domain.errors import InvalidField
from fleetline.domain.model import (
    FINAL_ORDER_STATES,
    LOAD_DIMENSIONS,
    Client,
    Depot,
    Location,
    Order,
    PlannedStop,
    ReasonCode,
    Route,
    Unassigned,
    Vehicle,
)
from fleetline.network.base import TravelMatrix, TravelTimes
from fleetline.planning.problem import (
    JobSpec,
    RoutingProblem,
    RoutingSolution,
    VehicleSpec,
)
from fleetline.planning.solver import solve

COST_UNITS_PER_CURRENCY = 100_000
"""Integer cost units per unit of currency: a thousandth of a cent."""
DEFAULT_PRIORITY = 3


@dataclass(frozen=True, slots=True)
class PlanningContext:
    """What :func:`to_plan_routes` needs to turn solver output back into domain terms."""

    origin: datetime
    zone: ZoneInfo
    dimensions: tuple[str, ...]
    orders: Mapping[str, Order]
    vehicle_zones: Mapping[str, ZoneInfo]
    locations: tuple[Location, ...]

    def at(self, seconds: int, zone: ZoneInfo | None = None) -> datetime:
        """Return problem ``seconds`` as a time in ``zone`` (the planning zone by default)."""
        return (self.origin + timedelta(seconds=seconds)).astimezone(zone or self.zone)

    def clock(self, seconds: int) -> str:
        """Return problem ``seconds`` as local ``HH:MM`` for messages."""
        return self.at(seconds).strftime("%H:%M")


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Routes and left-out orders of a planned day, with the solver's raw solution."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    solution: RoutingSolution


def _money_rate(amount: float, per: float) -> int:
    return round(amount * COST_UNITS_PER_CURRENCY / per)


def _clients_by_id(clients: Mapping[str, Client] | Iterable[Client]) -> Mapping[str, Client]:
    if isinstance(clients, Mapping):
        return clients
    return {client.id: client for client in clients}


def _seconds(moment: datetime, origin: datetime) -> int:
    return int((moment - origin).total_seconds())


SAMPLE_LOCATIONS = 24
"""How many locations the time-of-day factor is measured on."""


def day_factor(
    travel_times: TravelTimes,
    locations: Sequence[Location],
    first_departure: datetime,
    last_return: datetime,
) -> float:
    """How much longer travel takes on average over the working day than at its start.

    A plan has one matrix for the whole day, but travel times change with the hour (the
    morning rush is slower): the matrix is scaled by the mean, over each hour from the
    first departure to the last return, of the travel time at that hour over the travel
    time at the first departure, measured on a sample of the locations. A provider
    without a time of day gives 1.

    Parameters
    ----------
    travel_times
        The provider.
    locations
        The day's locations (a spread-out sample of them is used).
    first_departure, last_return
        The span of the working day.
    """
    step = max(1, len(locations) // SAMPLE_LOCATIONS)
    sample = list(locations[::step][:SAMPLE_LOCATIONS])
    if len(sample) < 2:
        return 1.0
    base = int(travel_times.matrix(sample, first_departure).durations.sum())
    if base <= 0:
        return 1.0
    ratios = []
    moment = first_departure
    while moment < last_return:
        ratios.append(int(travel_times.matrix(sample, moment).durations.sum()) / base)
        moment += timedelta(hours=1)
    return sum(ratios) / len(ratios) if ratios else 1.0


def build_problem(
    date: date,
    depots: Sequence[Depot],
    vehicles: Sequence[Vehicle],
    orders: Sequence[Order],
    clients: Mapping[str, Client] | Iterable[Client],
    travel_times: TravelTimes,
    *,
    origin: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> tuple[RoutingProblem, PlanningContext]:
    """Build the routing problem of one day.

    Parameters
    ----------
    date
        The day to plan; orders of other days and orders in a final state are skipped.
    depots
        Depots of the vehicles (each vehicle's ``depot_id`` must be among them).
    vehicles
        The fleet; inactive vehicles are skipped.
    orders
        The orders to plan.
    clients
        Clients by id (or an iterable of clients) for the orders' priorities; an order
        whose client is unknown gets priority 3.
    travel_times
        Provider of the duration and distance matrix.
    origin
        Time zero of the problem (tz-aware). Defaults to local midnight in ``zone``,
        moved earlier if needed so that no time is negative.
    zone
        The company's time zone (see :func:`fleetline.operations.company.company_zone`):
        where the day starts, and how times are told. UTC when not given.

    Returns
    -------
    tuple[RoutingProblem, PlanningContext]
        The problem and what is needed to read its solution back.

    Raises
    ------
    InvalidField
        When a vehicle names an unknown depot or ``origin`` has no time zone.
    """
    depot_by_id = {depot.id: depot for depot in depots}
    fleet = [v for v in vehicles if v.active]
    for index, vehicle in enumerate(fleet):
        if vehicle.depot_id not in depot_by_id:
            raise InvalidField(f"vehicles[{index}].depot_id", f"unknown depot {vehicle.depot_id!r}")
    todo = [o for o in orders if o.date == date and o.state not in FINAL_ORDER_STATES]
    zone = zone or ZoneInfo("UTC")
    shifts = {v.id: v.shift_on(date, depot_by_id[v.depot_id].zone) for v in fleet}
    if origin is None:
        origin = datetime.combine(date, datetime.min.time(), tzinfo=zone)
        starts = [s.start for s in shifts.values()] + [o.time_windows[0].start for o in todo]
        origin = min([origin, *starts])
    elif origin.tzinfo is None:
        raise InvalidField("origin", "time must carry a UTC offset")

    declared = {name for v in fleet for name in v.capacity}
    dimensions = tuple(name for name in LOAD_DIMENSIONS if name in declared)

    index_of: dict[Location, int] = {}
    for place in [depot_by_id[v.depot_id].location for v in fleet] + [o.location for o in todo]:
        index_of.setdefault(place, len(index_of))
    locations = tuple(index_of)
    departure = min((s.start for s in shifts.values()), default=origin)
    matrix = travel_times.matrix(list(locations), departure)
    last = max((s.end for s in shifts.values()), default=departure)
    factor = day_factor(travel_times, locations, departure, last)
    if factor != 1.0:
        matrix = TravelMatrix(np.rint(matrix.durations * factor).astype(np.int64), matrix.distances)

    specs = [
        _vehicle_spec(
            v,
            shifts[v.id].start,
            shifts[v.id].end,
            origin,
            dimensions,
            index_of,
            depot_by_id[v.depot_id].location,
        )
        for v in fleet
    ]
    by_client = _clients_by_id(clients)
    jobs = [_job_spec(o, origin, dimensions, index_of, by_client) for o in todo]
    problem = RoutingProblem(dimensions, matrix.durations, matrix.distances, specs, jobs)
    context = PlanningContext(
        origin=origin,
        zone=zone,
        dimensions=dimensions,
        orders={o.id: o for o in todo},
        vehicle_zones={v.id: depot_by_id[v.depot_id].zone for v in fleet},
        locations=locations,
    )
    return problem, context


def _vehicle_spec(
    vehicle: Vehicle,
    shift_start: datetime,
    shift_end: datetime,
    origin: datetime,
    dimensions: tuple[str, ...],
    index_of: Mapping[Location, int],
    home: Location,
) -> VehicleSpec:
    costs = vehicle.costs
    return VehicleSpec(
        id=vehicle.id,
        start=index_of[home],
        end=index_of[home],
        capacity=tuple(vehicle.capacity.get(name, 0) for name in dimensions),
        shift_start_s=_seconds(shift_start, origin),
        shift_end_s=_seconds(shift_end, origin),
        max_overtime_s=vehicle.max_overtime_s,
        skills=vehicle.skills,
        fixed_cost=_money_rate(costs.fixed, 1),
        cost_per_distance=_money_rate(costs.per_km, 1000),
        cost_per_second=_money_rate(costs.per_hour, 3600),
        overtime_cost_per_second=_money_rate(costs.overtime_per_hour, 3600),
    )


def _job_spec(
    order: Order,
    origin: datetime,
    dimensions: tuple[str, ...],
    index_of: Mapping[Location, int],
    clients: Mapping[str, Client],
) -> JobSpec:
    client = clients.get(order.client_id)
    override = getattr(order, "priority", None)
    priority = override or (client.priority if client is not None else DEFAULT_PRIORITY)
    return JobSpec(
        id=order.id,
        location=index_of[order.location],
        demand=tuple(order.demand.get(name, 0) for name in dimensions),
        service_s=order.service_s,
        time_windows=tuple(
            (_seconds(w.start, origin), _seconds(w.end, origin)) for w in order.time_windows
        ),
        skills=order.required_skills,
        priority=int(priority),
    )


def to_plan_routes(
    solution: RoutingSolution, context: PlanningContext
) -> tuple[tuple[Route, ...], tuple[Unassigned, ...]]:
    """Turn a solution into domain routes and left-out orders.

    Parameters
    ----------
    solution
        What :func:`~fleetline.planning.solver.solve` returned for the problem of
        ``context``.
    context
        The context :func:`build_problem` returned with that problem.

    Returns
    -------
    tuple[tuple[Route, ...], tuple[Unassigned, ...]]
        Routes (times in each vehicle's depot zone, cost in currency) and unassigned
        orders with their reasons.
    """
    routes: list[Route] = []
    for result in solution.routes:
        zone = context.vehicle_zones.get(result.vehicle_id, context.zone)
        stops = tuple(
            PlannedStop(
                stop_id=visit.job_id,
                order_id=visit.job_id,
                sequence=sequence,
                eta=context.at(visit.arrival_s, zone),
                service_start=context.at(visit.service_start_s, zone),
                departure=context.at(visit.departure_s, zone),
                time_windows=context.orders[visit.job_id].time_windows,
                load_after=dict(zip(context.dimensions, visit.load_after, strict=True)),
            )
            for sequence, visit in enumerate(result.visits, start=1)
        )
        routes.append(
            Route(
                vehicle_id=result.vehicle_id,
                stops=stops,
                start_at=context.at(result.start_s, zone),
                end_at=context.at(result.end_s, zone),
                distance_m=result.distance,
                duration_s=result.duration_s,
                load=dict(zip(context.dimensions, result.load, strict=True)),
                overtime_s=result.overtime_s,
                cost=round(result.cost / COST_UNITS_PER_CURRENCY, 2),
            )
        )
    unassigned = tuple(
        Unassigned(u.job_id, ReasonCode(u.reason_code), u.reason) for u in solution.unassigned
    )
    return tuple(routes), unassigned


def plan_day(
    date: date,
    depots: Sequence[Depot],
    vehicles: Sequence[Vehicle],
    orders: Sequence[Order],
    clients: Mapping[str, Client] | Iterable[Client],
    travel_times: TravelTimes,
    *,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
    seed: int = 1,
    zone: ZoneInfo | None = None,
) -> DayPlan:
    """Build the day's problem, solve it and return domain routes.

    Parameters
    ----------
    date, depots, vehicles, orders, clients, travel_times
        As for :func:`build_problem`.
    time_limit_s, max_iterations, seed
        As for :func:`~fleetline.planning.solver.solve`.
    zone
        As for :func:`build_problem`.

    Returns
    -------
    DayPlan
        Routes, unassigned orders with reasons, and the raw solution.
    """
    problem, context = build_problem(
        date, depots, vehicles, orders, clients, travel_times, zone=zone
    )
    solution = solve(
        problem,
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
        seed=seed,
        describe_time=context.clock,
    )
    routes, unassigned = to_plan_routes(solution, context)
    return DayPlan(routes, unassigned, solution)
