"""Which ETA-driven messages a live picture makes due: a thin margin before the truck
has left is not news; once it drives, or once a stop is late, the client hears it."""

from __future__ import annotations

from datetime import timedelta

from fleetline.comms.forecast_rules import due_notices
from fleetline.domain.live import Risk, StopForecast
from fleetline.domain.model import Location
from fleetline.domain.snapshot import VehicleRun
from fleetline.operations.live_service import LivePicture

from ...operations.test_eta import DEPOT, NOW, at, day, run, stop


def _picture(truck: VehicleRun, risk: Risk, eta_minutes: float = 120) -> LivePicture:
    forecasts = {
        s.order_id: StopForecast(
            order_id=s.order_id,
            vehicle_id=truck.vehicle_id,
            sequence=n,
            eta=at(eta_minutes),
            service_start=at(eta_minutes),
            departure=at(eta_minutes + 5),
            window_start=at(60),
            window_end=at(130),
            risk=risk,
            slack_s=600 if risk is not Risk.LATE else -600,
        )
        for n, s in enumerate(truck.remaining)
    }
    return LivePicture(snapshot=day(truck), forecasts=forecasts, computed_at=NOW, version=1)


def _kinds(picture: LivePicture) -> list[str]:
    return sorted(n.kind for n in due_notices(picture))


AT_DEPOT = DEPOT.location
ON_THE_ROAD = Location(DEPOT.location.lat, DEPOT.location.lon + 0.05)


def test_an_at_risk_stop_of_a_truck_still_at_the_depot_tells_nothing_yet() -> None:
    """Before the truck leaves, a stop at risk sends no delay (nor an out-for-delivery)."""
    truck = run([stop("a", 30)], position=AT_DEPOT)
    assert _kinds(_picture(truck, Risk.AT_RISK)) == []


def test_an_at_risk_stop_of_a_truck_on_the_road_is_a_delay() -> None:
    """Once the truck has left the depot, a stop at risk makes a delay message due."""
    truck = run([stop("a", 30)], position=ON_THE_ROAD)
    assert _kinds(_picture(truck, Risk.AT_RISK)) == ["delay"]


def test_a_late_stop_is_a_delay_even_before_the_truck_leaves() -> None:
    """A stop predicted past its promised window is news whether or not the truck left."""
    truck = run([stop("a", 30)], position=AT_DEPOT)
    assert _kinds(_picture(truck, Risk.LATE)) == ["delay"]


def test_an_on_time_stop_close_to_arrival_narrows_the_window() -> None:
    """A truck on the road, on time and within 45 minutes: out for delivery and narrowed."""
    truck = run([stop("a", 30)], position=ON_THE_ROAD, position_at=NOW - timedelta(minutes=1))
    assert _kinds(_picture(truck, Risk.ON_TIME, eta_minutes=30)) == [
        "narrowed_window",
        "out_for_delivery",
    ]
