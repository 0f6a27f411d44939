"""Turn where the day stands (a :class:`DaySnapshot`) into a :class:`RoutingProblem`.

What is modelled, exactly:

- each working vehicle (on duty or delayed) in scope starts where it is, when it is free:
  at its position now, or, while it serves a stop (``arrived``), at that stop once the
  service ends (service taken as begun at the planned ETA, or now if later); its start
  is paid from then (``fixed_start``), it ends at its home depot, its shift ends at its
  shift end and it may run into overtime at its overtime cost;
- its room is its capacity minus goods on board that no remaining stop takes (returns of
  failed deliveries); the goods of its remaining stops count as those stops' demand;
- goods on a working truck stay on it: each working vehicle gets a binary code, and its
  orders need the code's bits as skills (2·⌈log2(n+1)⌉ extra load dimensions for n
  vehicles, exact); orders of a broken-down or off-duty truck and orders not in the plan
  are *at the depot*: a vehicle serves them only after one reload visit at its home
  depot (``reload_s`` spent there), so a helper's own orders may come before or after;
- a stop's window is the window promised to the client (or the order's windows when
  the promise no longer lies within them), followed by 30-minute "late" windows up to
  ``max_late_s``, each dearer (priority-weighted ``late_per_hour``). Every stop is
  optional with its priority's prize: a stop that cannot be served within
  ``max_late_s`` is left out and reported as needing a new window, never made late
  without bound, and the problem is never infeasible;
- a vehicle that gets no stop still drives home: its fixed cost is minus the cost of
  that drive, so the solver compares routes with the drive home it would make anyway;
- the driver's pace is not modelled (travel times are the provider's).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fleetline.domain.live import VehicleStatus
from fleetline.domain.model import LOAD_DIMENSIONS, Location, OrderState, TimeWindow
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.planning.problem import JobSpec, RoutingProblem, VehicleSpec

COST_UNITS_PER_CURRENCY = 100_000
"""Integer cost units per unit of currency (as in :mod:`fleetline.planning.day_planner`)."""
LATE_STEP_S = 1800
"""Width of each late window."""
PRIORITY_WEIGHT = {1: 4.0, 2: 2.0, 3: 1.0, 4: 0.5, 5: 0.25}
"""How much a minute of lateness weighs per priority (priority 3 = 1)."""
WORKING = frozenset({VehicleStatus.ON_DUTY, VehicleStatus.DELAYED})


@dataclass(frozen=True, slots=True)
class ReplanPenalties:
    """What change costs, in currency.

    Attributes
    ----------
    move_to_other_vehicle
        Per order served by a vehicle other than the one carrying it (charged in the
        impact and the option score; the solver cannot move on-board goods anyway).
    late_per_hour
        Per hour served after the promised window, at priority 3 (see
        :data:`PRIORITY_WEIGHT`).
    max_late_s
        Latest service after the promised window; beyond it a stop is left out and
        reported as needing a new window (0: never late).
    reload_s
        Time to load goods at the depot.
    notify_eta_change_s
        An ETA that moves by at least this much means telling the client.
    """

    move_to_other_vehicle: float = 25.0
    late_per_hour: float = 60.0
    max_late_s: int = 3600
    reload_s: int = 900
    notify_eta_change_s: int = 900


DEFAULT_PENALTIES = ReplanPenalties()


@dataclass(frozen=True, slots=True)
class VehicleStart:
    """Where and when a vehicle becomes free, overriding its position (what-if)."""

    location: Location
    free_at: datetime
    loads_at_start: bool = False


@dataclass(frozen=True, slots=True)
class LiveContext:
    """What is needed to read a live problem's solution back in domain terms.

    Attributes
    ----------
    stops
        Every stop given to the solver, by order id.
    carrier
        The vehicle an order is on now (``None``: not on a working truck).
    current
        Each vehicle's remaining sequence in the plan in force (in-service stop excluded).
    base_windows
        The promised windows (problem seconds) lateness is measured against.
    in_service
        For vehicles serving a stop now: that stop and when it will be free (seconds).
    home
        For each vehicle in scope: its drive home from its start (seconds, metres, cost).
    """

    snapshot: DaySnapshot
    origin: datetime
    dimensions: tuple[str, ...]
    stops: Mapping[str, RemainingStop]
    carrier: Mapping[str, str | None]
    current: Mapping[str, tuple[str, ...]]
    base_windows: Mapping[str, tuple[tuple[int, int], ...]]
    in_service: Mapping[str, tuple[RemainingStop, int]]
    home: Mapping[str, tuple[int, int, int]]
    zones: Mapping[str, ZoneInfo]
    ghosts: tuple[VehicleSpec, ...] = ()
    """Specs of vehicles in scope that take no stops (broken down), for the plan in force."""
    fixed_costs: Mapping[str, int] = field(default_factory=dict)

    def at(self, seconds: int, vehicle_id: str | None = None) -> datetime:
        """Return problem ``seconds`` as a time in the vehicle's depot zone."""
        zone = self.zones.get(vehicle_id or "", self.origin.tzinfo)
        return (self.origin + timedelta(seconds=seconds)).astimezone(zone)

    def seconds(self, moment: datetime) -> int:
        """Return ``moment`` in problem seconds."""
        return int((moment - self.origin).total_seconds())

    def clock(self, seconds: int) -> str:
        """Return problem ``seconds`` as local ``HH:MM``."""
        return self.at(seconds).strftime("%H:%M")

    def snapshot_stop(self, order_id: str) -> RemainingStop:
        """Return an order's stop as the snapshot has it (also one left out of the problem).

        Raises
        ------
        KeyError
            When the snapshot does not know the order.
        """
        if order_id in self.stops:
            return self.stops[order_id]
        for run in self.snapshot.vehicles:
            for stop in run.remaining:
                if stop.order_id == order_id:
                    return stop
        for stop in self.snapshot.unplanned:
            if stop.order_id == order_id:
                return stop
        raise KeyError(order_id)


def promised_windows(stop: RemainingStop) -> tuple[TimeWindow, ...]:
    """Return the windows a stop is held to: the promise if it still fits the order's."""
    promise = stop.promised_window
    if promise is not None and any(
        w.start <= promise.start and promise.end <= w.end for w in stop.time_windows
    ):
        return (promise,)
    return stop.time_windows


def _money(amount: float, per: float) -> int:
    return round(amount * COST_UNITS_PER_CURRENCY / per)


def _code_skills(code: int, bits: int) -> frozenset[str]:
    return frozenset(f"~carrier.b{b}={(code >> b) & 1}" for b in range(bits))


def _in_service(run: VehicleRun, now: datetime) -> tuple[RemainingStop, datetime] | None:
    first = run.remaining[0] if run.remaining else None
    if first is None or first.state is not OrderState.ARRIVED:
        return None
    began = min(first.planned_eta or now, now)
    return first, max(now, began + timedelta(seconds=first.service_s))


@dataclass(slots=True)
class _Builder:
    snapshot: DaySnapshot
    origin: datetime
    locations: dict[Location, int] = field(default_factory=dict)

    def index(self, location: Location) -> int:
        return self.locations.setdefault(location, len(self.locations))

    def sec(self, moment: datetime) -> int:
        return int((moment - self.origin).total_seconds())


def build_live_problem(
    snapshot: DaySnapshot,
    travel_times: TravelTimes,
    *,
    vehicles: set[str] | None = None,
    penalties: ReplanPenalties = DEFAULT_PENALTIES,
    starts: Mapping[str, VehicleStart] | None = None,
    carriers: Mapping[str, str | None] | None = None,
    extra_stops: Sequence[RemainingStop] = (),
    skip_orders: frozenset[str] = frozenset(),
) -> tuple[RoutingProblem, LiveContext]:
    """Build the routing problem of the rest of the day (see the module's notes).

    Parameters
    ----------
    snapshot
        The live day.
    travel_times
        Provider of durations and distances (asked once, departing now).
    vehicles
        Vehicles in scope (default all); their remaining stops are re-planned, and the
        stops not in the plan are added. Vehicles outside keep their routes.
    penalties
        Costs of change.
    starts
        What-if starts of vehicles (e.g. a rescuer at the breakdown site).
    carriers
        What-if carriers of orders (``None``: at the depot), overriding the snapshot.
    extra_stops
        Stops to add (e.g. a failed delivery to try again), carried as ``carriers`` says.
    skip_orders
        Orders to leave out of the day (postponed).

    Returns
    -------
    tuple[RoutingProblem, LiveContext]
        The problem and how to read its solution back.
    """
    starts = starts or {}
    runs = [r for r in snapshot.vehicles if vehicles is None or r.vehicle_id in vehicles]
    zone = runs[0].depot.zone if runs else ZoneInfo("UTC")
    origin = datetime.combine(snapshot.date, datetime.min.time(), tzinfo=zone)
    b = _Builder(snapshot, origin)
    now = snapshot.now
    declared = {name for r in runs for name in r.vehicle.capacity}
    dimensions = tuple(name for name in LOAD_DIMENSIONS if name in declared)
    working = [r for r in runs if r.status in WORKING]
    codes = {r.vehicle_id: i + 1 for i, r in enumerate(working)}
    bits = max(1, math.ceil(math.log2(len(working) + 1)))

    stops: dict[str, RemainingStop] = {}
    carrier: dict[str, str | None] = {}
    current: dict[str, tuple[str, ...]] = {}
    in_service: dict[str, tuple[RemainingStop, int]] = {}
    for run in runs:
        serving = _in_service(run, now) if run.status in WORKING else None
        rest = run.remaining[1:] if serving else run.remaining
        if serving:
            in_service[run.vehicle_id] = (serving[0], b.sec(serving[1]))
        mine = run.vehicle_id if run.status in WORKING else None
        current[run.vehicle_id] = tuple(s.order_id for s in rest if s.order_id not in skip_orders)
        for stop in rest:
            stops[stop.order_id] = stop
            carrier[stop.order_id] = mine
    for stop in (*snapshot.unplanned, *extra_stops):
        stops[stop.order_id] = stop
        carrier.setdefault(stop.order_id, None)
    for order_id, vehicle_id in (carriers or {}).items():
        carrier[order_id] = vehicle_id if vehicle_id in codes else None
    for order_id in skip_orders:
        stops.pop(order_id, None)

    for run in runs:
        b.index(run.depot.location)
    specs: list[VehicleSpec] = []
    ghosts: list[VehicleSpec] = []
    spec_starts: dict[str, tuple[Location, int, bool]] = {}
    for run in runs:
        override = starts.get(run.vehicle_id)
        if override is not None:
            place, free_at = override.location, b.sec(override.free_at)
            loads = override.loads_at_start
        elif run.vehicle_id in in_service:
            place, free_at = in_service[run.vehicle_id][0].location, in_service[run.vehicle_id][1]
            loads = False
        else:
            place, free_at, loads = run.position, b.sec(now), False
        loads = loads or place == run.depot.location
        b.index(place)
        spec_starts[run.vehicle_id] = (place, free_at, loads)
    for stop in stops.values():
        b.index(stop.location)

    locations = list(b.locations)
    matrix = travel_times.matrix(locations, now)
    durations, distances = matrix.durations, matrix.distances

    home: dict[str, tuple[int, int, int]] = {}
    fixed_costs: dict[str, int] = {}
    for run in runs:
        place, free_at, loads = spec_starts[run.vehicle_id]
        start, end = b.index(place), b.index(run.depot.location)
        costs = run.vehicle.costs
        per_m, per_s = _money(costs.per_km, 1000), _money(costs.per_hour, 3600)
        drive_s, drive_m = int(durations[start, end]), int(distances[start, end])
        home[run.vehicle_id] = (drive_s, drive_m, drive_m * per_m + drive_s * per_s)
        shift_end = max(b.sec(run.shift_end), free_at)
        latest = b.sec(run.shift_end) + run.vehicle.max_overtime_s
        on_board_extra = {
            name: run.on_board.get(name, 0) - sum(s.demand.get(name, 0) for s in run.remaining)
            for name in dimensions
        }
        spec = VehicleSpec(
            id=run.vehicle_id,
            start=start,
            end=end,
            capacity=tuple(
                max(0, run.vehicle.capacity.get(n, 0) - max(0, on_board_extra[n]))
                for n in dimensions
            ),
            shift_start_s=free_at,
            shift_end_s=shift_end,
            max_overtime_s=max(0, latest - shift_end),
            skills=run.vehicle.skills | _code_skills(codes.get(run.vehicle_id, 0), bits),
            fixed_cost=-home[run.vehicle_id][2],
            cost_per_distance=per_m,
            cost_per_second=per_s,
            overtime_cost_per_second=_money(costs.overtime_per_hour, 3600),
            reload_depot=end,
            reload_s=penalties.reload_s,
            loads_at_start=loads,
        )
        fixed_costs[run.vehicle_id] = spec.fixed_cost
        (specs if run.status in WORKING else ghosts).append(spec)

    base_windows: dict[str, tuple[tuple[int, int], ...]] = {}
    jobs: list[JobSpec] = []
    for stop in stops.values():
        windows = tuple((b.sec(w.start), b.sec(w.end)) for w in promised_windows(stop))
        base_windows[stop.order_id] = windows
        late, fees = _late_windows(windows[-1][1], stop.priority, penalties)
        owner = carrier[stop.order_id]
        pin = _code_skills(codes[owner], bits) if owner is not None else frozenset()
        jobs.append(
            JobSpec(
                id=stop.order_id,
                location=b.index(stop.location),
                demand=tuple(stop.demand.get(name, 0) for name in dimensions),
                service_s=stop.service_s,
                time_windows=windows + late,
                skills=stop.required_skills | pin,
                priority=stop.priority,
                at_depot=owner is None,
                window_penalties=(0,) * len(windows) + fees,
            )
        )
    problem = RoutingProblem(dimensions, durations, distances, specs, jobs)
    context = LiveContext(
        snapshot=snapshot,
        origin=origin,
        dimensions=dimensions,
        stops=stops,
        carrier=carrier,
        current=current,
        base_windows=base_windows,
        in_service=in_service,
        home=home,
        zones={r.vehicle_id: r.depot.zone for r in runs},
        ghosts=tuple(ghosts),
        fixed_costs=fixed_costs,
    )
    return problem, context


def _late_windows(
    end: int, priority: int, penalties: ReplanPenalties
) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Late windows after ``end`` in steps of :data:`LATE_STEP_S`, each dearer."""
    windows: list[tuple[int, int]] = []
    fees: list[int] = []
    reach = 0
    while reach < penalties.max_late_s:
        upto = min(reach + LATE_STEP_S, penalties.max_late_s)
        windows.append((end + reach + 1, end + upto))
        hours = upto / 3600
        fees.append(_money(penalties.late_per_hour * hours * PRIORITY_WEIGHT[priority], 1))
        reach = upto
    return tuple(windows), tuple(fees)
