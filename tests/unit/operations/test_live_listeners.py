"""The consumers of the live picture run off the refresher's path, on the newest picture."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from fleetline.operations.live_listeners import PictureListeners

DAY = date(2026, 11, 26)


@dataclass(frozen=True)
class _Snapshot:
    date: date


@dataclass(frozen=True)
class _Picture:
    snapshot: _Snapshot
    version: int


def picture(version: int, day: date = DAY) -> Any:
    return cast(Any, _Picture(_Snapshot(day), version))


def _wait_until(condition: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the listeners never caught up"
        time.sleep(0.01)


def test_a_slow_listener_does_not_hold_up_the_refresher_and_sees_the_newest_picture() -> None:
    """While the client-message rules chew on picture 1, pictures 2 to 5 are handed over at
    once; the rules then see picture 5 only, never 2, 3 or 4 one after the other."""
    release = threading.Event()
    seen: list[int] = []

    def slow(p: Any) -> None:
        if p.version == 1:
            release.wait(5)
        seen.append(p.version)

    listeners = PictureListeners(lambda: [slow])
    try:
        listeners.hand_over(picture(1))
        _wait_until(lambda: listeners._running.locked())
        for version in range(2, 6):
            listeners.hand_over(picture(version))
        assert listeners._running.locked(), "handing over waited for the slow listener"
        release.set()
        _wait_until(lambda: seen[-1:] == [5])
        assert seen == [1, 5]
    finally:
        listeners.close()


def test_a_picture_older_than_one_already_seen_is_skipped() -> None:
    """A refresh asked for by hand (picture 7) runs the rules at once; the refresher's
    older picture 6, arriving after, is not acted on again."""
    seen: list[int] = []
    listeners = PictureListeners(lambda: [lambda p: seen.append(p.version)])
    try:
        listeners.run_now(picture(7))
        listeners.hand_over(picture(6))
        listeners.hand_over(picture(8, date(2026, 11, 27)))
        _wait_until(lambda: 8 in seen)
        assert seen == [7, 8]
    finally:
        listeners.close()


def test_listeners_never_run_twice_at_once() -> None:
    """The rules that queue client messages must not run concurrently (each checks the
    outbox before it queues): a refresh by hand waits for the refresher's run to end."""
    inside = 0
    most = 0
    lock = threading.Lock()

    def listener(p: Any) -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        with lock:
            inside -= 1

    listeners = PictureListeners(lambda: [listener])
    try:
        listeners.hand_over(picture(1))
        by_hand = [
            threading.Thread(target=listeners.run_now, args=(picture(v),)) for v in (2, 3, 4)
        ]
        for thread in by_hand:
            thread.start()
        for thread in by_hand:
            thread.join()
        _wait_until(lambda: not listeners._running.locked())
        assert most == 1
    finally:
        listeners.close()


def test_a_failing_listener_does_not_stop_the_others() -> None:
    """A bug in one consumer of the picture does not silence the client messages."""
    seen: list[int] = []

    def broken(p: Any) -> None:
        raise RuntimeError("broken")

    listeners = PictureListeners(lambda: [broken, lambda p: seen.append(p.version)])
    listeners.run_now(picture(1))
    assert seen == [1]


def test_the_map_learns_which_trucks_moved_without_waiting_for_the_next_picture() -> None:
    """Each batch of positions marks its trucks at once; a console asking from its last
    mark hears of each truck that moved since, and of nothing twice."""
    from datetime import UTC, datetime

    from fleetline.clock import FixedClock
    from fleetline.domain.events import PositionsReceived
    from fleetline.operations.live_service import LiveService

    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    live = LiveService(
        cast(Any, None), FixedClock(now), cast(Any, None), cast(Any, None), lambda: DAY
    )
    mark, moved = live.moved_since(0)
    assert moved == frozenset()
    live.on_event(PositionsReceived(occurred_at=now, vehicle_ids=("v1", "v2"), accepted=2))
    mark, moved = live.moved_since(mark)
    assert moved == {"v1", "v2"}
    live.on_event(PositionsReceived(occurred_at=now, vehicle_ids=("v2",), accepted=1))
    later, moved = live.moved_since(mark)
    assert moved == {"v2"}
    assert live.moved_since(later)[1] == frozenset()
