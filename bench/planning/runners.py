"""One runner per solver, all with the same signature.

``runner(instance, time_limit_s, seed) -> Run``: the routes as lists of customer
location indices (depot excluded) and the measured wall time, model building included.
The routes are checked and costed by :func:`bench.planning.instances.check`, never by the
solver. Every runner uses one thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bench.planning.instances import Instance, Routes


@dataclass
class Run:
    """What a runner returns: routes, wall time and a short status note."""

    routes: Routes
    wall_s: float
    status: str = "ok"


Runner = Callable[[Instance, float, int], Run]


def run_ortools(inst: Instance, time_limit_s: float, seed: int) -> Run:
    """OR-Tools routing: parallel cheapest insertion, then guided local search.

    The time dimension's transit from i to j is the travel time plus the service time at
    i. OR-Tools' routing search takes no seed; it is deterministic for a given limit.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    t0 = time.perf_counter()
    n = inst.num_customers + 1
    manager = pywrapcp.RoutingIndexManager(n, inst.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = inst.matrix.tolist()
    travel = (inst.matrix + inst.service[:, None]).tolist()
    dist_cb = routing.RegisterTransitMatrix(dist)
    time_cb = routing.RegisterTransitMatrix(travel)
    demand_cb = routing.RegisterUnaryTransitVector(inst.demand.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    routing.AddDimensionWithVehicleCapacity(
        demand_cb, 0, [inst.capacity] * inst.num_vehicles, True, "load"
    )
    open_, close = (int(x) for x in inst.windows[0])
    routing.AddDimension(time_cb, close, close, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for loc in range(1, n):
        early, late = (int(x) for x in inst.windows[loc])
        time_dim.CumulVar(manager.NodeToIndex(loc)).SetRange(early, late)
    for v in range(inst.num_vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(open_, close)
        time_dim.CumulVar(routing.End(v)).SetRange(open_, close)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    remaining = max(0.1, time_limit_s - (time.perf_counter() - t0))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    solution = routing.SolveWithParameters(params)
    routes: Routes = []
    if solution is not None:
        for v in range(inst.num_vehicles):
            idx = solution.Value(routing.NextVar(routing.Start(v)))
            route = []
            while not routing.IsEnd(idx):
                route.append(manager.IndexToNode(idx))
                idx = solution.Value(routing.NextVar(idx))
            if route:
                routes.append(route)
    status = "ok" if solution is not None else f"no solution (status {routing.status()})"
    return Run(routes, time.perf_counter() - t0, status)


def run_vroom(inst: Instance, time_limit_s: float, seed: int) -> Run:
    """VROOM (pyvroom) at exploration level 5, one thread, with a timeout.

    The integer matrix is both the duration and the cost matrix, so VROOM's cost is the
    total distance. VROOM takes no seed. It may stop before the limit.
    """
    import vroom

    t0 = time.perf_counter()
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=inst.matrix)
    problem.set_costs_matrix(profile="car", matrix_input=inst.matrix)
    depot = vroom.TimeWindow(int(inst.windows[0, 0]), int(inst.windows[0, 1]))
    for v in range(inst.num_vehicles):
        problem.add_vehicle(
            vroom.Vehicle(id=v, start=0, end=0, capacity=[inst.capacity], time_window=depot)
        )
    for loc in range(1, inst.num_customers + 1):
        problem.add_job(
            vroom.Job(
                id=loc,
                location=loc,
                default_service=int(inst.service[loc]),
                delivery=[int(inst.demand[loc])],
                time_windows=[
                    vroom.TimeWindow(int(inst.windows[loc, 0]), int(inst.windows[loc, 1]))
                ],
            )
        )
    remaining = max(0.1, time_limit_s - (time.perf_counter() - t0))
    solution = problem.solve(
        exploration_level=5, nb_threads=1, timeout=timedelta(seconds=remaining)
    )
    steps = solution.routes
    jobs = steps[steps["type"] == "job"]
    routes = [[int(j) for j in group["id"]] for _, group in jobs.groupby("vehicle_id", sort=True)]
    unassigned = int(solution.summary.unassigned)
    status = "ok" if not unassigned else f"{unassigned} unassigned"
    return Run(routes, time.perf_counter() - t0, status)


def run_fleetline(inst: Instance, time_limit_s: float, seed: int) -> Run:
    """Fleetline's planner, fed through its public problem types only."""
    from fleetline.planning.problem import JobSpec, RoutingProblem, VehicleSpec
    from fleetline.planning.solver import solve

    t0 = time.perf_counter()
    open_, close = (int(x) for x in inst.windows[0])
    vehicles = [
        VehicleSpec(
            id=f"v{v}",
            start=0,
            end=0,
            capacity=(inst.capacity,),
            shift_start_s=open_,
            shift_end_s=close,
            max_overtime_s=0,
            fixed_cost=0,
            cost_per_distance=1,
            cost_per_second=0,
        )
        for v in range(inst.num_vehicles)
    ]
    jobs = [
        JobSpec(
            id=str(loc),
            location=loc,
            demand=(int(inst.demand[loc]),),
            service_s=int(inst.service[loc]),
            time_windows=((int(inst.windows[loc, 0]), int(inst.windows[loc, 1])),),
            required=True,
        )
        for loc in range(1, inst.num_customers + 1)
    ]
    problem = RoutingProblem(
        dimensions=("load",),
        durations=inst.matrix.copy(),
        distances=inst.matrix.copy(),
        vehicles=vehicles,
        jobs=jobs,
    )
    remaining = max(0.1, time_limit_s - (time.perf_counter() - t0))
    solution = solve(problem, time_limit_s=remaining, seed=seed)
    routes = [[int(v.job_id) for v in r.visits] for r in solution.routes if r.visits]
    status = "ok" if not solution.unassigned else f"{len(solution.unassigned)} unassigned"
    return Run(routes, time.perf_counter() - t0, status)


RUNNERS: dict[str, Runner] = {
    "fleetline": run_fleetline,
    "ortools": run_ortools,
    "vroom": run_vroom,
}
