"""The first line a dispatcher reads about a late truck says how late and how many stops."""

from __future__ import annotations

from fleetline.domain.live import ReplanTrigger, Risk, StopForecast
from fleetline.operations.replan_headline import headline

from .test_eta import at, day, run, stop


def _forecast(order_id: str, late_minutes: float) -> StopForecast:
    return StopForecast(
        order_id=order_id,
        vehicle_id="v1",
        sequence=0,
        eta=at(60 + late_minutes),
        service_start=at(60 + late_minutes),
        departure=at(65 + late_minutes),
        window_start=at(0),
        window_end=at(60),
        risk=Risk.LATE if late_minutes > 0 else Risk.ON_TIME,
        slack_s=round(-late_minutes * 60),
    )


def test_a_late_truck_counts_only_the_stops_past_their_window() -> None:
    """Two of three stops are late, the worst by 25 minutes: the line says so."""
    stops = [stop("a", 10), stop("b", 20), stop("c", 30)]
    snapshot = day(run(stops))
    forecasts = {"a": _forecast("a", 0), "b": _forecast("b", 10), "c": _forecast("c", 25)}
    text = headline(ReplanTrigger.VEHICLE_LATE, "v1", stops, snapshot, forecasts, False)
    assert text == "v1 is running 25 min late: 2 stops past their window"


def test_a_truck_that_caught_up_is_not_called_late() -> None:
    """By the time options are computed no stop is past its window: no '0 min late'."""
    stops = [stop("a", 10), stop("b", 20)]
    snapshot = day(run(stops))
    forecasts = {"a": _forecast("a", 0), "b": _forecast("b", 0)}
    text = headline(ReplanTrigger.VEHICLE_LATE, "v1", stops, snapshot, forecasts, False)
    assert text == "v1 was running late; none of its 2 stops is past its window now"
