"""The solver on small hand-made problems a dispatcher can check by eye."""

from __future__ import annotations

from dataclasses import replace

from fleetline.domain.model import ReasonCode
from fleetline.planning.solver import solve

from .planning_factories import job, problem, vehicle

ITERS = 200


def test_plain_vrptw_distance_only_objective() -> None:
    """Benchmarks: with no time or fixed cost, the plan's cost is its distance."""
    jobs = [job(str(i), i, required=True, time_windows=((0, 1000),)) for i in range(1, 5)]
    sol = solve(
        problem([0, 10, 20, -10, -20], [vehicle(), vehicle("v2")], jobs), max_iterations=ITERS
    )
    assert sol.unassigned == ()
    assert sol.cost == sol.distance == 80
    assert sorted(v.job_id for r in sol.routes for v in r.visits) == ["1", "2", "3", "4"]


def test_second_window_used_when_first_unreachable() -> None:
    """An order with two windows is served in the second when the first cannot be made."""
    order = job("o", 1, time_windows=((10, 50), (500, 600)))
    sol = solve(problem([0, 100], [vehicle()], [order]), max_iterations=ITERS)
    (visit,) = sol.routes[0].visits
    assert visit.arrival_s == 100
    assert visit.service_start_s == 500
    assert visit.departure_s == 510


def test_eta_waits_for_window_and_counts_waiting() -> None:
    """ETAs respect windows: a truck early at the door waits, and the wait is in the day."""
    order = job("o", 1, time_windows=((300, 400),), service_s=20)
    sol = solve(problem([0, 100], [vehicle()], [order]), max_iterations=ITERS)
    route = sol.routes[0]
    (visit,) = route.visits
    assert (visit.arrival_s, visit.service_start_s, visit.departure_s) == (100, 300, 320)
    assert route.end_s == 420
    assert route.duration_s == 420


def test_refrigerated_order_only_on_refrigerated_truck() -> None:
    """A refrigerated order never goes on a truck without the skill."""
    cold = vehicle("cold", skills=frozenset({"refrigerated"}), start=2, end=2)
    dry = vehicle("dry")
    orders = [job("ice", 1, skills=frozenset({"refrigerated"})), job("bread", 1)]
    sol = solve(problem([0, 1, 1000], [dry, cold], orders), max_iterations=ITERS)
    placed = {v.job_id: r.vehicle_id for r in sol.routes for v in r.visits}
    assert placed["ice"] == "cold"
    assert set(placed) == {"ice", "bread"}


def test_missing_skill_is_reported() -> None:
    """An order needing a skill no truck has is left out and says which skill."""
    orders = [job("fish", 1, skills=frozenset({"frozen"}))]
    sol = solve(problem([0, 1], [vehicle()], orders), max_iterations=ITERS)
    (left,) = sol.unassigned
    assert left.reason_code == ReasonCode.NO_VEHICLE_WITH_SKILLS
    assert left.reason == "no vehicle has skill frozen"


def test_oversized_order_left_out_with_capacity_reason() -> None:
    """A 30-pallet order on an 18-pallet fleet is left out with DEMAND_EXCEEDS_CAPACITY."""
    orders = [job("big", 1, demand=(30,)), job("small", 1, demand=(3,))]
    sol = solve(problem([0, 1], [vehicle(capacity=(18,))], orders), max_iterations=ITERS)
    (left,) = sol.unassigned
    assert left.job_id == "big"
    assert left.reason_code == ReasonCode.DEMAND_EXCEEDS_CAPACITY
    assert left.reason == "needs 30 pallets; the largest vehicle takes 18 pallets"
    assert [v.job_id for v in sol.routes[0].visits] == ["small"]


def test_unreachable_window_reason_names_local_times() -> None:
    """An order no truck can reach in its window is left out naming the window."""
    order = job("late", 1, time_windows=((36_000, 37_800),))
    truck = vehicle(shift_start_s=36_000, shift_end_s=60_000)
    sol = solve(problem([0, 3600], [truck], [order]), max_iterations=ITERS)
    (left,) = sol.unassigned
    assert left.reason_code == ReasonCode.WINDOW_UNREACHABLE
    assert left.reason == "no vehicle can reach it within 10:00-10:30 inside its shift"


def test_no_vehicles() -> None:
    """Without vehicles every order is left out with NO_VEHICLES."""
    sol = solve(problem([0, 1], [], [job("a", 1)]), max_iterations=ITERS)
    assert [u.reason_code for u in sol.unassigned] == [ReasonCode.NO_VEHICLES]


def test_low_priority_dropped_first_when_fleet_too_small() -> None:
    """With too little fleet, priority-5 orders are dropped before priority-1 ones."""
    orders = [
        job("near-5a", 1, priority=5),
        job("near-5b", 1, priority=5),
        job("far-1a", 2, priority=1),
        job("far-1b", 2, priority=1),
    ]
    truck = vehicle(capacity=(2,), cost_per_second=5)
    sol = solve(problem([0, 10, 500], [truck], orders), max_iterations=ITERS)
    assert sorted(v.job_id for v in sol.routes[0].visits) == ["far-1a", "far-1b"]
    assert {u.job_id for u in sol.unassigned} == {"near-5a", "near-5b"}
    assert all(u.reason_code == ReasonCode.FLEET_FULL for u in sol.unassigned)
    assert "priority-5" in sol.unassigned[0].reason


def test_overtime_reported_and_costed() -> None:
    """A day that overruns the shift reports its overtime and pays the overtime rate."""
    truck = vehicle(
        shift_end_s=100,
        max_overtime_s=200,
        cost_per_distance=0,
        cost_per_second=1,
        overtime_cost_per_second=10,
    )
    sol = solve(problem([0, 80], [truck], [job("o", 1)]), max_iterations=ITERS)
    route = sol.routes[0]
    assert route.end_s == 170
    assert route.overtime_s == 70
    assert route.cost == 170 + 70 * 10


def test_overtime_limit_is_hard() -> None:
    """No route ends later than shift end plus the allowed overtime."""
    truck = vehicle(shift_end_s=100, max_overtime_s=50)
    sol = solve(problem([0, 80], [truck], [job("o", 1)]), max_iterations=ITERS)
    assert sol.routes == ()
    assert sol.unassigned[0].reason_code == ReasonCode.WINDOW_UNREACHABLE


def test_several_depots_each_truck_serves_its_area() -> None:
    """Trucks start and end at their own depots and serve the orders near them."""
    west = vehicle("west", start=0, end=0)
    east = vehicle("east", start=1, end=1)
    orders = [job("w1", 2), job("w2", 2), job("e1", 3), job("e2", 3)]
    sol = solve(problem([0, 1000, 5, 1005], [west, east], orders), max_iterations=ITERS)
    placed = {v.job_id: r.vehicle_id for r in sol.routes for v in r.visits}
    assert placed == {"w1": "west", "w2": "west", "e1": "east", "e2": "east"}
    assert sol.distance == 20


def test_loads_per_dimension() -> None:
    """Each route reports its load per dimension and what remains after each stop."""
    orders = [job("a", 1, demand=(2, 100)), job("b", 2, demand=(1, 50))]
    truck = vehicle(capacity=(10, 1000))
    sol = solve(
        problem([0, 10, 20], [truck], orders, ("pallets", "weight_kg")), max_iterations=ITERS
    )
    route = sol.routes[0]
    assert route.load == (3, 150)
    assert route.visits[-1].load_after == (0, 0)


def test_weight_limit_splits_orders_over_trucks() -> None:
    """A second dimension (weight) binds even when pallets fit."""
    orders = [job("a", 1, demand=(1, 600)), job("b", 1, demand=(1, 600))]
    trucks = [vehicle("t1", capacity=(10, 1000)), vehicle("t2", capacity=(10, 1000))]
    sol = solve(problem([0, 10], trucks, orders, ("pallets", "weight_kg")), max_iterations=ITERS)
    assert len(sol.routes) == 2
    assert all(r.load[1] <= 1000 for r in sol.routes)


def test_same_seed_same_plan() -> None:
    """The same problem, seed and iteration limit give the same plan."""
    orders = [job(str(i), i, time_windows=((0, 400 + 37 * i),)) for i in range(1, 9)]
    p = problem([0, 30, -40, 55, 12, -70, 90, -15, 66], [vehicle(), vehicle("v2")], orders)
    assert (
        solve(p, max_iterations=300, seed=7).routes == solve(p, max_iterations=300, seed=7).routes
    )


def test_warm_start_from_previous_plan() -> None:
    """Re-planning from a previous plan keeps it valid when nothing changed."""
    orders = [job(str(i), i) for i in range(1, 5)]
    p = problem([0, 10, 20, 30, 40], [vehicle()], orders)
    first = solve(p, max_iterations=ITERS)
    again = solve(p, max_iterations=10, initial=first)
    assert again.distance == first.distance == 80


def test_a_start_that_places_an_order_twice_still_solves() -> None:
    """A re-plan whose starting routes hold an order twice (on its truck and again for a
    reload trip) still plans every order once, instead of failing and leaving the day
    without a re-plan."""
    orders = [job(str(i), i) for i in range(1, 4)]
    p = problem([0, 10, 20, 30], [vehicle(), vehicle("v2")], orders)
    first = solve(p, max_iterations=ITERS)
    route = first.routes[0]
    doubled = replace(
        first,
        routes=(replace(route, visits=(*route.visits, route.visits[0])), *first.routes[1:]),
    )
    again = solve(p, max_iterations=10, initial=doubled)
    served = sorted(v.job_id for r in again.routes for v in r.visits)
    assert served == ["1", "2", "3"]


def test_a_truck_with_an_absurd_capacity_never_stops_the_plan() -> None:
    """A capacity of 10**30 (stored before the API bounded it) is planned as the model's
    largest amount: the day still plans, the other orders are served, and an order
    needing more than any truck can take is left out with its capacity reason."""
    huge = vehicle("huge", capacity=(10**30,))
    small = vehicle("small")
    orders = [job("a", 1), job("b", 2), job("enormous", 1, demand=(2 * 10**9,))]
    sol = solve(problem([0, 10, 20], [huge, small], orders), max_iterations=ITERS)
    served = {v.job_id for r in sol.routes for v in r.visits}
    assert served == {"a", "b"}
    (left_out,) = sol.unassigned
    assert left_out.job_id == "enormous"
    assert left_out.reason_code == ReasonCode.DEMAND_EXCEEDS_CAPACITY.value
