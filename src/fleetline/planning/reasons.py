"""Why a job is left out, in words a dispatcher understands.

Jobs that no vehicle could ever serve (no vehicle at all, a missing skill, a demand larger
than any vehicle, a window no vehicle can reach inside its shift) are found here *before*
solving and never given to the solver. Jobs the solver leaves out afterwards could each
have been served alone: the fleet simply had no room for them at a lower cost than their
priority's prize, which :func:`fleet_full` says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fleetline.domain.model import ReasonCode
from fleetline.planning.problem import JobSpec, RoutingProblem, UnassignedJob, VehicleSpec

TimeFormatter = Callable[[int], str]


def clock_time(seconds: int) -> str:
    """Format problem seconds as ``HH:MM`` (with ``+Nd`` past midnight of day 0).

    Parameters
    ----------
    seconds
        Seconds from the problem's origin.

    Returns
    -------
    str
        E.g. ``"10:30"`` or ``"01:15+1d"``.
    """
    days, rest = divmod(int(seconds), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if days == 0 else f"{text}{days:+d}d"


def amount_text(amount: int, dimension: str) -> str:
    """Say an amount of a load dimension: ``30 pallets``, ``120 kg``, ``4 m3``."""
    for suffix, unit in (("_kg", "kg"), ("_m3", "m3"), ("_l", "l")):
        if dimension.endswith(suffix):
            return f"{amount} {unit}"
    return f"{amount} {dimension}"


@dataclass(frozen=True, slots=True)
class Screening:
    """The outcome of checking jobs before solving."""

    feasible: tuple[JobSpec, ...]
    rejected: tuple[UnassignedJob, ...]


def _fits(job: JobSpec, vehicle: VehicleSpec) -> bool:
    pickup = job.pickup or (0,) * len(job.demand)
    return all(
        d <= c and p <= c for d, p, c in zip(job.demand, pickup, vehicle.capacity, strict=True)
    )


def _reachable(job: JobSpec, vehicle: VehicleSpec, problem: RoutingProblem) -> bool:
    to_job = int(problem.durations[vehicle.start, job.location])
    back = int(problem.durations[job.location, vehicle.end])
    latest_end = vehicle.shift_end_s + vehicle.max_overtime_s
    longest = vehicle.shift_end_s - vehicle.shift_start_s + vehicle.max_overtime_s
    for early, late in job.time_windows:
        start = max(vehicle.shift_start_s + to_job, early)
        if start > late:
            continue
        end = start + job.service_s + back
        if end > latest_end:
            continue
        if vehicle.fixed_start or to_job + job.service_s + back <= longest:
            return True
    return False


def _skills_reason(job: JobSpec, vehicles: Sequence[VehicleSpec]) -> UnassignedJob:
    known = frozenset().union(*(v.skills for v in vehicles))
    missing = sorted(job.skills - known)
    if missing:
        noun = "skill" if len(missing) == 1 else "skills"
        text = f"no vehicle has {noun} {', '.join(missing)}"
    else:
        text = f"no vehicle has all of the skills {', '.join(sorted(job.skills))}"
    return UnassignedJob(job.id, ReasonCode.NO_VEHICLE_WITH_SKILLS.value, text)


def _capacity_reason(
    job: JobSpec, vehicles: Sequence[VehicleSpec], dimensions: Sequence[str]
) -> UnassignedJob:
    which = f" with skill {', '.join(sorted(job.skills))}" if job.skills else ""
    pickup = job.pickup or (0,) * len(job.demand)
    for d, name in enumerate(dimensions):
        largest = max(v.capacity[d] for v in vehicles)
        need = max(job.demand[d], pickup[d])
        if need > largest:
            text = (
                f"needs {amount_text(need, name)}; the largest vehicle{which} "
                f"takes {amount_text(largest, name)}"
            )
            return UnassignedJob(job.id, ReasonCode.DEMAND_EXCEEDS_CAPACITY.value, text)
    needs = " and ".join(
        amount_text(amount, name)
        for amount, name in zip(job.demand, dimensions, strict=True)
        if amount
    )
    text = f"needs {needs}; no vehicle{which} takes all of that at once"
    return UnassignedJob(job.id, ReasonCode.DEMAND_EXCEEDS_CAPACITY.value, text)


def _window_reason(job: JobSpec, describe_time: TimeFormatter) -> UnassignedJob:
    windows = " or ".join(
        f"{describe_time(early)}-{describe_time(late)}" for early, late in job.time_windows
    )
    text = f"no vehicle can reach it within {windows} inside its shift"
    return UnassignedJob(job.id, ReasonCode.WINDOW_UNREACHABLE.value, text)


def screen_job(
    job: JobSpec, problem: RoutingProblem, describe_time: TimeFormatter = clock_time
) -> UnassignedJob | None:
    """Return why no vehicle could serve ``job`` even alone, or ``None`` if one could.

    Parameters
    ----------
    job
        The job to check.
    problem
        Its problem (vehicles, matrices, dimension names).
    describe_time
        Formats problem seconds for the window in a message.

    Returns
    -------
    UnassignedJob or None
        The reason, checked in the order: no vehicles, skills, capacity, windows.
    """
    vehicles = problem.vehicles
    if not vehicles:
        return UnassignedJob(
            job.id, ReasonCode.NO_VEHICLES.value, "no vehicles are available on this day"
        )
    skilled = [v for v in vehicles if job.skills <= v.skills]
    if not skilled:
        return _skills_reason(job, vehicles)
    fitting = [v for v in skilled if _fits(job, v)]
    if not fitting:
        return _capacity_reason(job, skilled, problem.dimensions)
    if not any(_reachable(job, v, problem) for v in fitting):
        return _window_reason(job, describe_time)
    return None


def screen(problem: RoutingProblem, describe_time: TimeFormatter = clock_time) -> Screening:
    """Split the problem's jobs into those worth solving and those impossible up front.

    Parameters
    ----------
    problem
        The routing problem.
    describe_time
        Formats problem seconds in window messages.

    Returns
    -------
    Screening
        Feasible jobs in their original order, and a reason for each rejected one.
    """
    feasible: list[JobSpec] = []
    rejected: list[UnassignedJob] = []
    for job in problem.jobs:
        reason = screen_job(job, problem, describe_time)
        if reason is None:
            feasible.append(job)
        else:
            rejected.append(reason)
    return Screening(tuple(feasible), tuple(rejected))


def fleet_full(job: JobSpec) -> UnassignedJob:
    """Reason for a job the solver left out although a vehicle could serve it alone.

    Parameters
    ----------
    job
        The job left out.

    Returns
    -------
    UnassignedJob
        A ``FLEET_FULL`` reason naming the job's priority.
    """
    text = (
        "the fleet has no room left at a lower cost than leaving out "
        f"a priority-{job.priority} order"
    )
    return UnassignedJob(job.id, ReasonCode.FLEET_FULL.value, text)
