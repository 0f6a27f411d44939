"""Ranked what-if options for a broken-down truck and for a failed delivery."""

from __future__ import annotations

import json
import multiprocessing
from datetime import datetime
from pathlib import Path

import pytest

from fleetline.domain.live import ExceptionOption, VehicleStatus
from fleetline.domain.snapshot import DaySnapshot
from fleetline.planning.failed_options import failed_delivery_options
from fleetline.planning.live_problem import PRIORITY_WEIGHT, promised_windows
from fleetline.planning.options import breakdown_options, option_score
from fleetline.planning.worker_processes import stop_what_if_workers

from .killed_parents import workers_left_after_kill
from .live_factories import at, run, snapshot, stop
from .planning_factories import EuclideanTravelTimes

ITERATIONS = 300
COLD = frozenset({"refrigerated"})


def _day() -> DaySnapshot:
    return snapshot(
        run("v1", 5, [stop("a", 8, eta=10.1), stop("b", 12, eta=10.3), stop("c", 15, eta=10.5)]),
        run(
            "v2",
            3,
            [
                stop("d", 4, eta=10.05, priority=5),
                stop("e", 6, eta=10.2, priority=1, window=(8, 11), promised=(10, 11)),
                stop("f", 9, eta=10.4, skills=COLD),
            ],
        ),
        run("small", 0, [], capacity=2, skills=COLD),
        run("spare", 1, [], capacity=10, skills=COLD),
        run("v4", 20, [stop("g", 22, eta=10.3)], skills=COLD),
        run("v5", 30, [stop("h", 32, eta=10.3)]),
    )


def _options(day: DaySnapshot, **kw: object) -> list[ExceptionOption]:
    return breakdown_options(
        day, "v2", EuclideanTravelTimes(), time_limit_s=1.0, max_iterations=ITERATIONS, **kw
    )  # type: ignore[arg-type]


def test_breakdown_gives_two_to_four_ranked_options() -> None:
    """The dispatcher sees a short list, best first, each with a one-line summary."""
    options = _options(_day(), parallel=True)
    assert 2 <= len(options) <= 4
    assert [o.rank for o in options] == list(range(1, len(options) + 1))
    scores = [option_score(o.impact) for o in options]
    assert scores == sorted(scores)
    assert {o.kind for o in options} == {"rescue", "redistribute", "postpone"}
    assert all(o.summary and "\n" not in o.summary for o in options)
    json.dumps([o.changes for o in options])


def test_options_are_solved_again_after_the_workers_were_stopped() -> None:
    """Services closed and opened again in one process (a restart, a console) still get a
    breakdown's options in parallel, the same ones, and stopping leaves no worker behind."""
    before = set(multiprocessing.active_children())
    first = _options(_day(), parallel=True)
    stop_what_if_workers()
    assert set(multiprocessing.active_children()) <= before
    again = _options(_day(), parallel=True)
    assert set(multiprocessing.active_children()) - before, "new workers solved them"
    stop_what_if_workers()
    assert set(multiprocessing.active_children()) <= before
    assert [(o.kind, o.impact) for o in again] == [(o.kind, o.impact) for o in first]


KILLED_PARENT = """
import multiprocessing, time
from tests.unit.planning.test_options import _day, _options
_options(_day(), parallel=True)
print(*(p.pid for p in multiprocessing.active_children()), flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_what_if_workers_end_when_their_process_is_killed() -> None:
    """A server or benchmark killed outright (no exit handler runs) leaves no what-if
    worker behind holding memory and CPU."""
    started, left = workers_left_after_kill(KILLED_PARENT)
    assert started, "the options were solved on worker processes"
    assert left == []


def test_impact_matches_the_routes_of_each_option() -> None:
    """Late orders and weighted lateness recomputed from an option's routes agree."""
    day = _day()
    stops = {s.order_id: s for r in day.vehicles for s in r.remaining}
    for option in _options(day, parallel=False):
        starts = option.changes["service_starts"]
        assert isinstance(starts, dict)
        late = 0
        weighted = 0.0
        for order_id, iso in starts.items():
            windows = promised_windows(stops[order_id])
            begin = datetime.fromisoformat(iso)
            if not any(w.start <= begin <= w.end for w in windows):
                closed = max(w.end for w in windows if w.end < begin)
                late += 1
                minutes = (begin - closed).total_seconds() / 60
                weighted += PRIORITY_WEIGHT[stops[order_id].priority] * minutes
        routes = option.changes["routes"]
        assert isinstance(routes, dict)
        scope = {"v2", *routes}
        in_scope = {s.order_id for r in day.vehicles if r.vehicle_id in scope for s in r.remaining}
        missing = in_scope - set(starts)
        weighted += sum(PRIORITY_WEIGHT[stops[o].priority] * 240 for o in missing)
        assert option.impact.late_orders == late
        assert option.impact.unserved_orders == len(missing)
        assert abs(option.impact.priority_weighted_lateness - weighted) < 0.2


def test_rescue_uses_a_truck_with_room_for_the_load() -> None:
    """The rescuer can carry the whole load: the nearer but smaller van is passed over."""
    rescue = next(o for o in _options(_day(), parallel=False) if o.kind == "rescue")
    details = rescue.changes["rescue"]
    assert isinstance(details, dict)
    assert details["vehicle_id"] == "spare"
    routes = rescue.changes["routes"]
    assert isinstance(routes, dict)
    assert set(routes["spare"]) == {"d", "e", "f"}


def test_options_respect_skills_and_capacities() -> None:
    """A refrigerated stop only rides on a refrigerated truck; no truck is overloaded."""
    capacity = {"v1": 10, "v4": 10, "v5": 10, "spare": 10, "small": 2}
    for option in _options(_day(), parallel=False):
        routes = option.changes["routes"]
        assert isinstance(routes, dict)
        for vehicle_id, orders in routes.items():
            if "f" in orders:
                assert vehicle_id in {"v4", "spare", "small"}
            assert len(orders) <= capacity[vehicle_id] or vehicle_id != "small"
        small = routes.get("small", [])
        assert len(small) <= 2


def test_no_spare_truck_still_gives_options() -> None:
    """Without an idle truck the neighbours with room are asked, and options remain."""
    day = snapshot(
        run("v1", 5, [stop("a", 8, eta=10.1)]),
        run("v2", 3, [stop("d", 4, eta=10.05, priority=4), stop("e", 6, eta=10.2)]),
        run("v3", 9, [stop("x", 10, eta=10.1)], status=VehicleStatus.OFF_DUTY),
    )
    options = _options(day, parallel=False)
    assert 2 <= len(options) <= 4


def test_failed_delivery_retry_later_or_tomorrow() -> None:
    """A failed delivery can be tried again later today by its truck, or moved to tomorrow."""
    day = snapshot(
        run("v1", 5, [stop("a", 8, eta=10.1), stop("b", 12, eta=10.3), stop("gone", 5)]),
    )
    options = failed_delivery_options(
        day, "gone", EuclideanTravelTimes(), max_iterations=ITERATIONS
    )
    assert options[0].kind == "retry_today"
    retry = next(o for o in options if o.kind == "retry_today")
    routes = retry.changes["routes"]
    assert isinstance(routes, dict)
    assert "gone" in routes["v1"]
    assert {o.kind for o in options} == {"retry_today", "postpone"}
    assert at(11) <= datetime.fromisoformat(str(retry.changes["window"]["start"]))  # type: ignore[index]
