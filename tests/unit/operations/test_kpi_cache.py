"""The day's figures are computed once for all readers, and again after a change."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, cast

from fleetline.domain import events
from fleetline.operations.kpi_cache import DayFigures

DAY = date(2026, 12, 7)
AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class CountingFigures:
    """Stands in for the computation: counts its calls, answers with the call's number."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.calls = 0
        self.seconds = seconds
        self.lock = threading.Lock()

    def __call__(self, _uow: Any, day: date) -> Any:
        time.sleep(self.seconds)
        with self.lock:
            self.calls += 1
            return (day, self.calls)


def _figures(compute: CountingFigures, max_age_s: float = 60.0) -> DayFigures:
    return DayFigures(lambda: nullcontext(), max_age_s=max_age_s, compute=compute)  # type: ignore[arg-type, return-value]


def test_readers_without_a_change_share_one_computation() -> None:
    """Ten KPI strips refreshing get the same figures, computed once."""
    compute = CountingFigures()
    figures = _figures(compute)
    answers = {figures.of(DAY) for _ in range(10)}
    assert answers == {(DAY, 1)}
    assert compute.calls == 1


def test_a_change_is_in_the_next_figures_but_a_position_is_not_a_change() -> None:
    """A stop report makes the next read compute again; a GPS fix does not."""
    compute = CountingFigures()
    figures = _figures(compute)
    figures.of(DAY)
    figures.on_event(events.PositionsReceived(occurred_at=AT, vehicle_ids=("v1",), accepted=1))
    assert figures.of(DAY) == (DAY, 1)
    figures.on_event(
        events.InquiryLogged(
            occurred_at=AT, inquiry_id="i1", order_id="o1", client_id="c1", channel="phone"
        )
    )
    assert figures.of(DAY) == (DAY, 2)


def test_old_figures_answer_at_once_while_new_ones_are_computed() -> None:
    """Past their age, the kept figures answer without waiting; the next read has new ones."""
    compute = CountingFigures(seconds=0.2)
    figures = _figures(compute, max_age_s=0.0)
    assert figures.of(DAY) == (DAY, 1)
    started = time.monotonic()
    assert figures.of(DAY) == (DAY, 1)
    assert time.monotonic() - started < 0.15
    deadline = time.monotonic() + 5
    while compute.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert figures.of(DAY)[1] >= 2


def test_many_first_readers_wait_for_one_computation() -> None:
    """Fifty agents opening the Figures page at once start a single computation."""
    compute = CountingFigures(seconds=0.1)
    figures = _figures(compute)
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda _: figures.of(DAY), range(50)))
    assert set(answers) == {(DAY, 1)}
    assert compute.calls == 1


def test_the_engine_sends_the_kept_figures_without_waiting_for_new_ones() -> None:
    """The engine's publication takes what is kept and has new figures made meanwhile."""
    compute = CountingFigures(seconds=0.2)
    figures = _figures(compute)
    started = time.monotonic()
    assert figures.latest(DAY) is None  # none yet: they are being computed
    assert time.monotonic() - started < 0.15
    deadline = time.monotonic() + 5
    while figures.latest(DAY) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert figures.latest(DAY) == (DAY, 1)


def test_a_face_answers_with_the_engines_figures_and_computes_none() -> None:
    """A face keeps the figures the engine sent, however old, and never computes them."""
    compute = CountingFigures()
    face = DayFigures(lambda: nullcontext(), max_age_s=0.0, compute=compute, follows_engine=True)  # type: ignore[arg-type, return-value]
    sent = cast(Any, SimpleNamespace(date=DAY, orders=3000))
    face.adopt(sent)
    face.on_event(
        events.InquiryLogged(
            occurred_at=AT, inquiry_id="i", order_id="o", client_id="c", channel="phone"
        )
    )
    assert face.of(DAY) is sent
    assert compute.calls == 0
