"""Two refreshes of one day at once never leave the older picture as the day's picture.

A refresh that read the store before a driver's report and finished after a newer one
would otherwise be kept: the dispatcher's map and the client's ETA would show the stop
still to do, and nothing would correct it until the next change.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from fleetline.domain.snapshot import DaySnapshot
from fleetline.network.base import TravelTimes

from ..api_client import DAY
from .conftest import MORNING, Day, report

pytestmark = pytest.mark.both_databases  # concurrent writers commit in the order the database picks


def test_a_refresh_that_read_before_a_report_does_not_replace_the_newer_picture(
    day: Day,
) -> None:
    live: Any = day.api.services.live
    live.refresh()
    order_id = day.stop_of(0)
    vehicle = day.vehicle_of(order_id)
    forecaster = live._forecaster
    read_before_report, release = threading.Event(), threading.Event()

    def slow_first(snapshot: DaySnapshot, travel_times: TravelTimes) -> Any:
        if not read_before_report.is_set():
            read_before_report.set()
            release.wait(10)
        return forecaster(snapshot, travel_times)

    live._forecaster = slow_first
    day.api.services.clock.set(MORNING + timedelta(seconds=30))
    older = threading.Thread(target=live.refresh)
    older.start()
    assert read_before_report.wait(10)

    assert report(day, order_id, "arrived", "08:20").status_code == 200
    assert report(day, order_id, "completed", "08:30").status_code == 200
    newer = threading.Thread(target=live.refresh)
    newer.start()
    newer.join(timeout=1.0)  # left alone, the newer refresh would be done by now
    release.set()
    older.join(10)
    newer.join(10)

    run = live.picture().snapshot.run_of(vehicle)
    assert run is not None
    assert order_id in run.completed
    assert order_id not in [stop.order_id for stop in run.remaining]
    assert live.picture().snapshot.date.isoformat() == DAY
