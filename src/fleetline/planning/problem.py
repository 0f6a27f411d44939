"""A solver-neutral routing problem and its solution.

Every way into the planner (a day of orders from the store, a VROOM file, a benchmark
instance) builds a :class:`RoutingProblem`; :func:`fleetline.planning.solver.solve` turns it
into a :class:`RoutingSolution`. Times are whole seconds from an origin the caller chooses;
distances are whole metres (or any unit the matrix uses); loads are whole numbers, one per
dimension named in :attr:`RoutingProblem.dimensions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]

LARGEST_AMOUNT = 10**9
"""The largest amount of one load dimension the planner models (PyVRP sums loads in 64-bit
integers). A capacity above it is read as this much, so a job needing more is left out
with its capacity reason; nothing a company stored can make a plan fail to build."""


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """A vehicle available to the solver.

    ``shift_end_s`` is when the shift ends; the vehicle may work up to ``max_overtime_s``
    beyond it at ``overtime_cost_per_s``. Costs are in integer cost units (the caller's
    choice; the domain adapter uses thousandths of a cent).
    """

    id: str
    start: int
    end: int
    capacity: tuple[int, ...]
    shift_start_s: int
    shift_end_s: int
    max_overtime_s: int = 0
    skills: frozenset[str] = frozenset()
    fixed_cost: int = 0
    cost_per_distance: int = 1
    cost_per_second: int = 0
    overtime_cost_per_second: int = 0
    fixed_start: bool = True
    """Whether the vehicle leaves at ``shift_start_s`` (paid from then; waiting before
    the first stop counts). When ``False`` it may leave later to avoid waiting, as in
    VROOM; overtime then counts route duration beyond the shift's length."""
    reload_depot: int | None = None
    """Location where the vehicle may stop once to load goods (``None``: it cannot)."""
    reload_s: int = 0
    """Time to load at ``reload_depot`` (also spent there when the route starts there)."""
    loads_at_start: bool = True
    """Whether the vehicle starts where goods are loaded. When ``False`` (a truck out in
    the field) it can serve :attr:`JobSpec.at_depot` jobs only after a visit to
    ``reload_depot``."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A delivery to place: a location index, demand, service time and windows.

    ``priority`` runs from 1 (highest) to 5 (lowest); when not every job fits, the
    lowest-priority jobs are left out first. ``required`` jobs must be served or the
    problem is infeasible (used by benchmarks; the live day uses optional jobs).
    """

    id: str
    location: int
    demand: tuple[int, ...]
    service_s: int
    time_windows: tuple[tuple[int, int], ...]
    skills: frozenset[str] = frozenset()
    priority: int = 3
    required: bool = False
    pickup: tuple[int, ...] = ()
    """Load collected at the job (same dimensions as ``demand``); empty means none."""
    at_depot: bool = False
    """Whether the goods wait at a depot (not on a truck): a vehicle out in the field must
    load them first (see :attr:`VehicleSpec.loads_at_start`)."""
    window_penalties: tuple[int, ...] = ()
    """Cost of serving in each of ``time_windows`` (empty: none), taken off the prize of
    an optional job: used to make late windows possible but dearer."""


@dataclass(slots=True)
class RoutingProblem:
    """Locations (as matrix indices), vehicles and jobs."""

    dimensions: tuple[str, ...]
    durations: IntMatrix
    distances: IntMatrix
    vehicles: list[VehicleSpec]
    jobs: list[JobSpec]

    def within_model_bounds(self) -> RoutingProblem:
        """Return the problem with every vehicle's capacity at most :data:`LARGEST_AMOUNT`.

        Returns
        -------
        RoutingProblem
            This problem when every capacity is within bounds, else a copy with the
            larger capacities lowered to :data:`LARGEST_AMOUNT`.
        """
        if all(max(v.capacity, default=0) <= LARGEST_AMOUNT for v in self.vehicles):
            return self
        vehicles = [
            replace(v, capacity=tuple(min(c, LARGEST_AMOUNT) for c in v.capacity))
            for v in self.vehicles
        ]
        return replace(self, vehicles=vehicles)


@dataclass(frozen=True, slots=True)
class VisitResult:
    """A job served: arrival, start of service and departure in problem seconds."""

    job_id: str
    arrival_s: int
    service_start_s: int
    departure_s: int
    load_after: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RouteResult:
    """One vehicle's route in a solution."""

    vehicle_id: str
    visits: tuple[VisitResult, ...]
    start_s: int
    end_s: int
    distance: int
    duration_s: int
    load: tuple[int, ...]
    overtime_s: int
    cost: int
    reloads: tuple[tuple[int, int], ...] = ()
    """Visits to the reload depot: (number of visits served before it, arrival)."""


@dataclass(frozen=True, slots=True)
class UnassignedJob:
    """A job left out, with a reason code of :class:`fleetline.domain.model.ReasonCode`."""

    job_id: str
    reason_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class RoutingSolution:
    """What the solver found."""

    routes: tuple[RouteResult, ...]
    unassigned: tuple[UnassignedJob, ...]
    cost: int
    distance: int
    runtime_s: float
    iterations: int = 0
    stats: dict[str, float] = field(default_factory=dict)
