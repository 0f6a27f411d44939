"""The engine's pictures reach the faces whole, and a stored row can never run code."""

from __future__ import annotations

import os
import pickle
import zlib

import pytest

from fleetline.domain.live import VehicleStatus
from fleetline.network.factory import travel_times_for
from fleetline.operations.eta import forecast_fleet
from fleetline.operations.live_service import LivePicture
from fleetline.store.picture_codec import UnexpectedClass, picture_from_bytes, picture_to_bytes

from ..planning.live_factories import run, snapshot, stop


def _picture() -> LivePicture:
    day = snapshot(
        run("v1", 0, [stop("o1", 5, priority=1), stop("o2", 9, promised=(10, 12))]),
        run("v2", 3, status=VehicleStatus.BROKEN_DOWN),
    )
    fleet = forecast_fleet(day, travel_times_for(None))
    return LivePicture(day, fleet.stops, day.now, 7, {"o9": "broken_down"})


def test_a_picture_comes_back_equal_to_what_was_published() -> None:
    """Every vehicle, stop, ETA, risk and reason a face shows survives the trip."""
    picture = _picture()
    back = picture_from_bytes(picture_to_bytes(picture))
    assert back == picture
    assert back.forecasts["o1"].eta == picture.forecasts["o1"].eta
    assert back.snapshot.now.utcoffset() == picture.snapshot.now.utcoffset()
    assert back.no_eta == {"o9": "broken_down"}


def test_a_row_naming_anything_else_is_refused_without_running_it() -> None:
    """A row written by someone else (os.system) raises, and the command never runs."""

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.system, ("touch /tmp/fleetline-picture-exploit",)

    payload = zlib.compress(pickle.dumps(Exploit()))
    with pytest.raises(UnexpectedClass):
        picture_from_bytes(payload)
    assert not os.path.exists("/tmp/fleetline-picture-exploit")


def test_the_stored_bytes_are_compressed() -> None:
    """A picture repeats itself; the row is smaller than the plain pickle."""
    picture = _picture()
    assert len(picture_to_bytes(picture)) < len(pickle.dumps(picture))


def test_times_and_states_keep_their_kind() -> None:
    """A stop's window reads back in the company's zone; a breakdown stays a breakdown."""
    picture = _picture()
    back = picture_from_bytes(picture_to_bytes(picture))
    first = back.snapshot.vehicles[0].remaining[0].time_windows[0]
    assert first.start == picture.snapshot.vehicles[0].remaining[0].time_windows[0].start
    assert (
        first.start.tzinfo == picture.snapshot.vehicles[0].remaining[0].time_windows[0].start.tzinfo
    )
    assert back.snapshot.vehicles[1].status is VehicleStatus.BROKEN_DOWN
