"""Re-planning the rest of the day from a live snapshot."""

from __future__ import annotations

from fleetline.domain.live import VehicleStatus
from fleetline.domain.model import OrderState, ReasonCode
from fleetline.planning.replan import replan

from .live_factories import at, run, snapshot, stop
from .planning_factories import EuclideanTravelTimes

ITERATIONS = 300


def _sequences(result: object) -> dict[str, list[str]]:
    return {r.vehicle_id: [s.order_id for s in r.stops] for r in result.routes}  # type: ignore[attr-defined]


def test_completed_stops_never_reappear() -> None:
    """A delivery already made is never planned again."""
    snap = snapshot(
        run("v1", 5, [stop("a", 8, eta=10.1), stop("b", 12, eta=10.3)], completed=("done",)),
        run("v2", 0, []),
    )
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    planned = [o for seq in _sequences(result).values() for o in seq]
    assert "done" not in planned
    assert sorted(planned) == ["a", "b"]


def test_orders_of_a_broken_truck_go_to_another_truck_via_the_depot() -> None:
    """The stops of a broken-down truck are served by a working truck that reloads."""
    snap = snapshot(
        run("v1", 5, [stop("a", 8, eta=10.1)]),
        run(
            "v2",
            3,
            [stop("d", 4, eta=10.05), stop("e", 6, eta=10.2)],
            status=VehicleStatus.BROKEN_DOWN,
        ),
    )
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    sequences = _sequences(result)
    assert "v2" not in sequences
    assert {"d", "e"} <= set(sequences["v1"])
    assert {(o, old, new) for o, old, new in result.diff.moved} == {
        ("d", "v2", "v1"),
        ("e", "v2", "v1"),
    }
    reloads = result.solution.routes[0].reloads
    first_moved = sequences["v1"].index("d") if "d" in sequences["v1"] else 0
    assert reloads and reloads[0][0] <= min(first_moved, sequences["v1"].index("e"))


def test_broken_truck_order_nobody_can_carry_is_reported() -> None:
    """A stop needing a skill no working truck has is left out with a reason."""
    snap = snapshot(
        run("v1", 5, [stop("a", 8, eta=10.1)]),
        run(
            "v2",
            3,
            [stop("cold", 4, skills=frozenset({"refrigerated"}))],
            status=VehicleStatus.BROKEN_DOWN,
        ),
    )
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    assert [u.order_id for u in result.unassigned] == ["cold"]
    assert result.unassigned[0].reason_code is ReasonCode.NO_VEHICLE_WITH_SKILLS
    assert result.diff.dropped == ("cold",)
    assert result.impact.unserved_orders == 1


def test_no_gratuitous_reshuffle() -> None:
    """A truck whose day did not change keeps its sequence and its ETAs."""
    stops = [stop("a", 6, eta=10 + 1 / 60 + 0), stop("b", 10, eta=10.2), stop("c", 14, eta=10.4)]
    snap = snapshot(run("v1", 5, stops), run("v2", 20, [stop("z", 22)]))
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    assert _sequences(result)["v1"] == ["a", "b", "c"]
    assert _sequences(result)["v2"] == ["z"]
    assert result.diff.moved == ()
    assert result.diff.resequenced_vehicles == ()


def test_a_changed_window_flows_into_the_replan() -> None:
    """When a client moves its window later, the truck serves it later, in the new window."""
    stops = [
        stop("a", 6, eta=10.05),
        stop("b", 8, window=(14, 15), promised=(14, 15), eta=10.1),
        stop("c", 10, eta=10.2),
    ]
    snap = snapshot(run("v1", 5, stops))
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    route = result.routes[0]
    assert [s.order_id for s in route.stops][-1] == "b"
    served = next(s for s in route.stops if s.order_id == "b")
    assert at(14) <= served.service_start <= at(15)
    assert "v1" in result.diff.resequenced_vehicles
    assert result.impact.late_orders == 0


def test_late_order_is_served_late_within_limit_or_needs_a_new_window() -> None:
    """A stop that can no longer be on time is served a little late, or reported."""
    snap = snapshot(
        run(
            "v1",
            0,
            [
                stop("soon", 30, window=(8, 10.3), promised=(8, 10.3), eta=9.9),
                stop("gone", 90, window=(8, 10.2), promised=(8, 10.2), eta=9.95),
            ],
        ),
    )
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    assert result.late.keys() == {"soon"}
    assert 0 < result.late["soon"] <= 3600
    assert result.impact.late_orders == 1
    assert [u.order_id for u in result.unassigned] == ["gone"]
    assert result.unassigned[0].reason_code is ReasonCode.WINDOW_UNREACHABLE
    assert "new window" in result.unassigned[0].reason


def test_overtime_is_reported_when_the_day_runs_long() -> None:
    """A truck that cannot finish before its shift ends shows the overtime."""
    stops = [stop(f"s{i}", 40 + i, eta=11 + i / 10, service_s=1800) for i in range(6)]
    snap = snapshot(run("v1", 0, stops, shift_end=11.5))
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    assert result.routes[0].overtime_s > 0
    assert result.impact.overtime_s == result.routes[0].overtime_s


def test_stop_being_served_stays_first() -> None:
    """The stop a driver is at stays first; the truck moves on when it is done."""
    stops = [stop("here", 5, eta=9.95, state=OrderState.ARRIVED, service_s=900), stop("next", 9)]
    snap = snapshot(run("v1", 5, stops))
    result = replan(snap, EuclideanTravelTimes(), max_iterations=ITERATIONS)
    route = result.routes[0]
    assert [s.order_id for s in route.stops] == ["here", "next"]
    assert route.stops[1].eta >= at(9.95 + 0.25)
