"""Random small problems: every plan the solver returns is one a driver can actually drive."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from fleetline.domain.model import ReasonCode
from fleetline.planning.problem import JobSpec, RoutingProblem, VehicleSpec
from fleetline.planning.solver import solve

from .planning_factories import line_matrix

SKILLS = st.frozensets(st.sampled_from(["refrigerated", "tail_lift"]), max_size=2)


@st.composite
def windows(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    start = draw(st.integers(0, 800))
    first = (start, start + draw(st.integers(10, 600)))
    if draw(st.booleans()):
        gap = first[1] + draw(st.integers(1, 300))
        return (first, (gap, gap + draw(st.integers(10, 600))))
    return (first,)


@st.composite
def problems(draw: st.DrawFn) -> RoutingProblem:
    positions = draw(st.lists(st.integers(-400, 400), min_size=2, max_size=7))
    n = len(positions)
    vehicles = []
    for v in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 300))
        vehicles.append(
            VehicleSpec(
                id=f"v{v}",
                start=draw(st.integers(0, 1)),
                end=draw(st.integers(0, 1)),
                capacity=(draw(st.integers(1, 6)), draw(st.integers(0, 20))),
                shift_start_s=start,
                shift_end_s=start + draw(st.integers(200, 2000)),
                max_overtime_s=draw(st.integers(0, 300)),
                skills=draw(SKILLS),
                cost_per_second=draw(st.integers(0, 2)),
                overtime_cost_per_second=draw(st.integers(0, 5)),
            )
        )
    jobs = [
        JobSpec(
            id=f"j{j}",
            location=draw(st.integers(0, n - 1)),
            demand=(draw(st.integers(0, 4)), draw(st.integers(0, 8))),
            service_s=draw(st.integers(0, 60)),
            time_windows=draw(windows()),
            skills=draw(SKILLS),
            priority=draw(st.integers(1, 5)),
        )
        for j in range(draw(st.integers(1, 9)))
    ]
    matrix = line_matrix(positions)
    return RoutingProblem(("pallets", "weight_kg"), matrix, matrix * 3, vehicles, jobs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 3))
def test_every_route_is_drivable_and_no_job_is_lost(problem: RoutingProblem, seed: int) -> None:
    """Capacity, skills, windows and shifts hold; each job is routed once or has a reason."""
    sol = solve(problem, max_iterations=60, seed=seed)
    jobs = {job.id: job for job in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    routed = [visit.job_id for route in sol.routes for visit in route.visits]
    left = [u.job_id for u in sol.unassigned]
    assert sorted(routed + left) == sorted(jobs)
    assert {u.reason_code for u in sol.unassigned} <= set(ReasonCode)
    assert all(u.reason for u in sol.unassigned)
    assert len({route.vehicle_id for route in sol.routes}) == len(sol.routes)
    for route in sol.routes:
        truck = vehicles[route.vehicle_id]
        served = [jobs[visit.job_id] for visit in route.visits]
        for d in range(2):
            assert sum(job.demand[d] for job in served) <= truck.capacity[d]
        assert route.start_s == truck.shift_start_s
        here, clock = truck.start, truck.shift_start_s
        for visit, job in zip(route.visits, served, strict=True):
            assert job.skills <= truck.skills
            assert visit.arrival_s == clock + int(problem.durations[here, job.location])
            assert visit.arrival_s <= visit.service_start_s
            assert any(a <= visit.service_start_s <= b for a, b in job.time_windows)
            assert visit.departure_s == visit.service_start_s + job.service_s
            here, clock = job.location, visit.departure_s
        assert route.end_s == clock + int(problem.durations[here, truck.end])
        assert route.end_s <= truck.shift_end_s + truck.max_overtime_s
        assert route.overtime_s == max(0, route.end_s - truck.shift_end_s)
