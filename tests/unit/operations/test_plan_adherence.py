"""Plan adherence on small constructed days, each worked out by hand."""

from __future__ import annotations

from fleetline.operations.kpis import actual_arrivals, first_dispatched
from fleetline.operations.plan_adherence import plan_adherence

from .figure_days import at, plan, report

MORNING = at("06:00")


def _served(*stops: tuple[str, str, str]) -> list:
    """Completed reports ``(order, vehicle, clock)``."""
    return [report(order, vehicle, "completed", clock) for order, vehicle, clock in stops]


def test_a_truck_that_swapped_two_stops_keeps_two_of_three_pairs() -> None:
    """A truck planned 1, 2, 3, 4 drove 1, 3, 2, 4: the dispatcher would read 67% of the
    sequence kept, not 100% or 50%, and every stop on its planned truck."""
    morning = plan({"v1": ["o1", "o2", "o3", "o4"]}, dispatched_at=MORNING)
    reports = _served(
        ("o1", "v1", "08:30"), ("o3", "v1", "09:00"), ("o2", "v1", "09:30"), ("o4", "v1", "10:00")
    )
    figures = plan_adherence(morning, reports, actual_arrivals(reports))
    assert (figures.sequence_pairs, figures.sequence_kept) == (3, 2)
    assert figures.sequence_kept_share == 0.6667
    assert figures.on_planned_truck_share == 1.0
    assert figures.stops_compared == 4 and figures.stops_added == 0


def test_a_stop_moved_to_another_truck_counts_against_the_planned_truck_only() -> None:
    """One of five planned stops was served by the other truck: 80% on the planned truck;
    the order of what each truck kept of its plan is intact (100%), so a dispatcher sees
    that the moved stop, not the sequence, is what changed."""
    morning = plan({"v1": ["a1", "a2", "a3"], "v2": ["b1", "b2"]}, dispatched_at=MORNING)
    reports = _served(
        ("a1", "v1", "08:30"),
        ("a3", "v1", "09:30"),
        ("b1", "v2", "08:30"),
        ("a2", "v2", "08:50"),
        ("b2", "v2", "09:10"),
    )
    figures = plan_adherence(morning, reports, actual_arrivals(reports))
    assert figures.on_planned_truck == 4 and figures.on_planned_truck_share == 0.8
    assert (figures.sequence_pairs, figures.sequence_kept) == (2, 2)
    assert figures.sequence_kept_share == 1.0


def test_planned_against_actual_arrival_uses_arrived_else_completed() -> None:
    """Stop 1 (planned 08:30) arrived 08:40, stop 2 (planned 09:00) was only reported
    completed at 08:50: each is 10 minutes off, on average neither late nor early."""
    morning = plan({"v1": ["o1", "o2"]}, dispatched_at=MORNING)
    reports = [
        report("o1", "v1", "arrived", "08:40"),
        report("o1", "v1", "completed", "08:55"),
        report("o2", "v1", "completed", "08:50"),
    ]
    figures = plan_adherence(morning, reports, actual_arrivals(reports))
    assert figures.arrival_diff_s_mean == 600.0
    assert figures.arrival_diff_s_median == 600.0
    assert figures.arrival_delay_s_mean == 0.0


def test_the_morning_plan_is_the_reference_not_the_live_one() -> None:
    """A re-plan at 09:00 reversed the truck's two stops and the driver followed it: the
    day is measured against the morning plan (0 of 1 pair kept, its id named), so a day
    re-planned all morning never looks perfectly adherent."""
    morning = plan({"v1": ["x", "y"]}, plan_id="pln_1", version=1, dispatched_at=MORNING)
    later = plan({"v1": ["y", "x"]}, plan_id="pln_2", version=2, dispatched_at=at("09:00"))
    reports = _served(("y", "v1", "09:30"), ("x", "v1", "10:00"))
    chosen = first_dispatched([later, morning])
    assert chosen is not None and chosen.id == "pln_1"
    figures = plan_adherence(chosen, reports, actual_arrivals(reports))
    assert figures.plan_id == "pln_1" and figures.plan_version == 1
    assert figures.sequence_kept_share == 0.0


def test_stops_added_during_the_day_and_failed_ones_are_left_out() -> None:
    """An urgent order added at noon and a failed delivery do not change the shares: the
    urgent one is counted as added, the failed one not at all."""
    morning = plan({"v1": ["o1", "o2", "o3"]}, dispatched_at=MORNING)
    reports = [
        *_served(("o1", "v1", "08:30"), ("urgent", "v1", "08:45"), ("o3", "v1", "09:30")),
        report("o2", "v1", "failed", "09:00"),
    ]
    figures = plan_adherence(morning, reports, actual_arrivals(reports))
    assert figures.stops_compared == 2 and figures.stops_added == 1
    assert (figures.sequence_pairs, figures.sequence_kept) == (1, 1)
    assert figures.on_planned_truck_share == 1.0


def test_a_day_without_a_dispatched_plan_has_no_adherence_figures() -> None:
    """Without a morning plan nothing is compared: the figures say so (``None``) rather
    than showing 0% or 100%."""
    reports = _served(("o1", "v1", "08:30"))
    figures = plan_adherence(None, reports, actual_arrivals(reports))
    assert figures.plan_id is None and figures.stops_compared == 0 and figures.stops_added == 1
    assert figures.sequence_kept_share is None
    assert figures.on_planned_truck_share is None
    assert figures.arrival_diff_s_mean is None
