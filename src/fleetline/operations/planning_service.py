"""Runs solves off the request path: a planner thread prepares, a worker process solves.

A solve never blocks the API: ``POST /plans`` stores a plan version in status
``solving`` and returns; the :class:`PlanningService` picks it up once that is committed,
builds the day's problem (travel times included), hands it to a worker process (PyVRP uses
one core; the API keeps the other), and stores the routes, or the failure, as the plan
version's outcome. Plans left ``solving`` by a stopped server are taken up again at start.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date

from fleetline.bus import Context
from fleetline.domain.events import PlanRequested
from fleetline.domain.model import (
    FINAL_ORDER_STATES,
    Order,
    PlanStatus,
    PlanWarning,
    Route,
    Unassigned,
)
from fleetline.network.base import TravelTimes
from fleetline.operations import plans
from fleetline.operations.company import company_zone
from fleetline.operations.ports import UnitOfWork
from fleetline.planning.day_planner import PlanningContext, build_problem, to_plan_routes
from fleetline.planning.problem import RoutingProblem, RoutingSolution
from fleetline.planning.route_timing import time_routes
from fleetline.planning.solver import solve
from fleetline.planning.worker_processes import end_with_parent

log = logging.getLogger(__name__)
PAGE = 1000


def solve_problem(
    problem: RoutingProblem,
    context: PlanningContext,
    time_limit_s: float,
    seed: int,
    max_iterations: int | None = None,
) -> RoutingSolution:
    """Solve in whatever process runs this (a worker process in production)."""
    return solve(
        problem,
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
        seed=seed,
        describe_time=context.clock,
    )


def orders_of_day(uow: UnitOfWork, day: date) -> list[Order]:
    """Every order of ``day``, page by page."""
    orders: list[Order] = []
    while True:
        page = uow.orders.list_by_date(day, limit=PAGE, offset=len(orders))
        orders.extend(page)
        if len(page) < PAGE:
            return orders


class PlanningService:
    """Solves requested plan versions in the background and stores their outcome.

    Parameters
    ----------
    uow_factory
        Opens a unit of work.
    context
        Clock and ids.
    travel_times
        The road network (or crow-flies) for the day's matrix.
    processes
        Worker processes for solves; 0 solves in the planner thread (tests, small days).
    default_time_limit_s
        How long a solve may search when its request names no limit.
    max_iterations
        Iterations every solve may search besides its time limit (the first reached
        stops it); with it, a plan does not depend on machine speed. None: time alone.
    seed
        Seed of the solver, so that a day re-planned with the same input repeats.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        context: Context,
        travel_times: TravelTimes,
        *,
        processes: int = 1,
        default_time_limit_s: float = 10.0,
        max_iterations: int | None = None,
        seed: int = 1,
    ) -> None:
        self._uow_factory = uow_factory
        self._context = context
        self._travel_times = travel_times
        self._default_time_limit_s = default_time_limit_s
        self._max_iterations = max_iterations
        self._seed = seed
        self._planner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner")
        self._solvers: Executor | None = (
            ProcessPoolExecutor(
                processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=end_with_parent,
            )
            if processes > 0
            else None
        )

    def on_plan_requested(self, event: PlanRequested) -> None:
        """Start solving a plan version once its request has been stored."""
        self.submit(event.plan_id)

    def submit(self, plan_id: str) -> Future[None]:
        """Queue the solve of ``plan_id``; the future completes when its outcome is stored."""
        return self._planner.submit(self.run, plan_id)

    def recover(self) -> list[str]:
        """Queue again every plan version that a stopped server left ``solving``."""
        with self._uow_factory() as uow:
            waiting = [p.id for p in uow.plans.solving()]
        for plan_id in waiting:
            self.submit(plan_id)
        return waiting

    def run(self, plan_id: str) -> None:
        """Solve ``plan_id`` now and store its routes, or why it failed."""
        try:
            with self._uow_factory() as uow:
                plan = uow.plans.get(plan_id)
                if plan is None or plan.status is not PlanStatus.SOLVING:
                    return
                problem, context = self._problem_of(uow, plan.date)
            limit = plan.time_limit_s or self._default_time_limit_s
            solving = (problem, context, limit, self._seed, self._max_iterations)
            if self._solvers is None:
                solution = solve_problem(*solving)
            else:
                solution = self._solvers.submit(solve_problem, *solving).result()
            routes, unassigned = to_plan_routes(solution, context)
            warnings = self.network_warnings(context.orders.values())
        except Exception as error:  # a failed solve leaves the live plan in force
            log.exception("solving plan %s failed", plan_id)
            self._store_failure(plan_id, f"{type(error).__name__}: {error}")
            return
        with self._uow_factory() as uow:
            plans.complete_plan(uow, self._context, plan_id, routes, unassigned, warnings)
            uow.commit()

    def time_sequences(
        self, uow: UnitOfWork, day: date, sequences: dict[str, list[str]]
    ) -> tuple[tuple[Route, ...], tuple[Unassigned, ...]]:
        """Time routes whose sequence is given (an imported plan), on the day's network."""
        problem, context = self._problem_of(uow, day)
        return to_plan_routes(time_routes(problem, sequences), context)

    def network_warnings(self, orders: Iterable[Order]) -> tuple[PlanWarning, ...]:
        """Warn about every order whose location is off the road network.

        Its travel times are computed from the nearest road, which may be the wrong side of
        a river or a mountain: the dispatcher should check the address.
        """
        listed = list(orders)
        snaps = self._travel_times.snap([order.location for order in listed])
        return tuple(
            PlanWarning(
                order.id,
                "off_network",
                f"the location is {snap.distance_m:,.0f} m from the nearest road; "
                "check the address",
            )
            for order, snap in zip(listed, snaps, strict=True)
            if not snap.on_network
        )

    def _problem_of(self, uow: UnitOfWork, day: date) -> tuple[RoutingProblem, PlanningContext]:
        orders = [o for o in orders_of_day(uow, day) if o.state not in FINAL_ORDER_STATES]
        clients = uow.clients.get_many({o.client_id for o in orders})
        return build_problem(
            day,
            uow.depots.list(),
            uow.vehicles.list(active_only=True),
            orders,
            clients,
            self._travel_times,
            zone=company_zone(uow),
        )

    def _store_failure(self, plan_id: str, error: str) -> None:
        try:
            with self._uow_factory() as uow:
                plans.fail_plan(uow, self._context, plan_id, error[:500])
                uow.commit()
        except Exception:
            log.exception("could not record the failure of plan %s", plan_id)

    def close(self) -> None:
        """Stop accepting solves and wait for the running one."""
        self._planner.shutdown(wait=True, cancel_futures=True)
        if self._solvers is not None:
            self._solvers.shutdown(wait=True, cancel_futures=True)
