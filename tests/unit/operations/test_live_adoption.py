"""A face takes the engine's pictures in: its reads, its stream and its `/live` follow them."""

from __future__ import annotations

import queue
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from fleetline.network.factory import travel_times_for
from fleetline.operations.eta import forecast_fleet
from fleetline.operations.live_service import LivePicture, LiveService
from fleetline.operations.live_view import changes

from ..planning.live_factories import DAY, NOW, run, snapshot, stop


def _picture(version: int, km: float, minutes: int = 0) -> LivePicture:
    day = replace(snapshot(run("v1", km, [stop("o1", 20)])), now=NOW + timedelta(minutes=minutes))
    fleet = forecast_fleet(day, travel_times_for(None))
    return LivePicture(day, fleet.stops, day.now, version)


def _face(asked: list[Any]) -> LiveService:
    def no_store() -> Any:
        raise AssertionError("a face answers from the engine's picture, not the store")

    return LiveService(
        no_store,
        None,
        travel_times_for(None),
        forecast_fleet,
        lambda: DAY,
        ask=asked.append,  # type: ignore[arg-type]
    )


def _messages(subscription: Any) -> list[dict[str, Any]]:
    found = []
    while True:
        try:
            found.append(subscription.messages.get_nowait())
        except queue.Empty:
            return found


def test_reads_answer_the_engines_picture_with_its_version() -> None:
    """A read gets the engine's picture as it is: no computation, the engine's version."""
    asked: list[Any] = []
    face = _face(asked)
    face.adopt(_picture(41, km=0))
    assert face.picture(DAY).version == 41
    assert face.published(DAY) is face.picture(DAY)
    assert asked == []


def test_an_older_picture_never_replaces_a_newer_one() -> None:
    """Pictures read out of order (a reconnection) leave the newest in place."""
    face = _face([])
    face.adopt(_picture(42, km=1, minutes=1))
    face.adopt(_picture(41, km=0, minutes=0))
    assert face.picture(DAY).version == 42


def test_the_stream_gets_the_engines_message_when_it_follows_the_faces_picture() -> None:
    """The engine's account of the changes is used when it counts from the face's picture."""
    face = _face([])
    first, second = _picture(1, km=0), _picture(2, km=5, minutes=1)
    face.adopt(first)
    subscription = face.subscribe()
    engines = {"type": "live", "version": 2, "vehicles": ["from the engine"]}
    face.adopt(second, message=engines, after_version=1)
    assert _messages(subscription) == [engines]


def test_a_face_that_missed_a_picture_counts_the_changes_itself() -> None:
    """When the engine's message counts from a picture this face never had, the face
    compares its own picture with the new one, so the console misses nothing."""
    face = _face([])
    first, third = _picture(1, km=0), _picture(3, km=9, minutes=2)
    face.adopt(first)
    subscription = face.subscribe()
    face.adopt(third, message={"type": "live", "version": 3, "stale": True}, after_version=2)
    assert _messages(subscription) == [changes(first, third)]


def test_the_engines_rendering_is_kept_for_its_own_picture_only() -> None:
    """`/live` sends the engine's bytes for the picture they were made from, never another."""
    face = _face([])
    picture = _picture(7, km=0)
    face.adopt(picture, document=b'{"version":7}')
    assert face.rendered(face.picture(DAY)) == b'{"version":7}'
    face.adopt(_picture(8, km=1, minutes=1))
    assert face.rendered(face.picture(DAY)) is None


@pytest.mark.parametrize("version", [0, 5])
def test_an_engine_taking_over_numbers_after_the_last_published(version: int) -> None:
    """Versions only grow across engines: the next one goes on from the last published."""
    engine = LiveService(
        lambda: None,  # type: ignore[arg-type, return-value]
        None,  # type: ignore[arg-type]
        travel_times_for(None),
        forecast_fleet,
        lambda: DAY,
    )
    engine.continue_versions_after(version)
    engine.continue_versions_after(version - 1)
    assert engine._version == version
