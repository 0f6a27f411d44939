"""Exceptions opened while the services shut down: stored now, options at the next start."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from fleetline.bus import Context
from fleetline.clock import FixedClock
from fleetline.domain.live import (
    ExceptionKind,
    ExceptionOption,
    ExceptionStatus,
    Impact,
    OperationalException,
)
from fleetline.operations.exceptions import ExceptionService

DAY = date(2026, 11, 26)


class _Exceptions:
    def __init__(self) -> None:
        self.stored: dict[str, OperationalException] = {}

    def add(self, exception: OperationalException) -> None:
        self.stored[exception.id] = exception

    def get(self, exception_id: str) -> OperationalException | None:
        return self.stored.get(exception_id)

    def update(self, exception: OperationalException) -> None:
        self.stored[exception.id] = exception

    def list(
        self, day: date | None = None, status: ExceptionStatus | None = None
    ) -> list[OperationalException]:
        return [
            e
            for e in self.stored.values()
            if (day is None or e.date == day) and (status is None or e.status is status)
        ]


class _Uow:
    def __init__(self, exceptions: _Exceptions) -> None:
        self.exceptions = exceptions
        self.clients = SimpleNamespace(get_many=lambda _ids: [])

    def __enter__(self) -> _Uow:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def record(self, _event: object) -> None:
        return None

    def commit(self) -> None:
        return None

    def collect_new_events(self) -> list[Any]:
        return []


def _option() -> ExceptionOption:
    return ExceptionOption(
        "redistribute", "redistribute", "Truck 02 takes them", Impact(0, 0.0, 0, 0, 0.0), 1
    )


def _service(exceptions: _Exceptions, solved: list[str]) -> ExceptionService:
    def finder(_snapshot: object, exception: OperationalException) -> list[ExceptionOption]:
        solved.append(exception.id)
        return [_option()]

    picture = SimpleNamespace(snapshot=None, forecasts={})
    live = SimpleNamespace(refresh=lambda _day=None: picture, picture=lambda _day: picture)
    live.today = lambda: DAY
    return ExceptionService(
        lambda: _Uow(exceptions),  # type: ignore[arg-type, return-value]
        Context(clock=FixedClock(datetime(2026, 11, 26, 9, 5, tzinfo=UTC))),
        live,  # type: ignore[arg-type]
        {ExceptionKind.BREAKDOWN: finder},
    )


def test_a_breakdown_reported_during_shutdown_gets_its_options_at_the_next_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A truck breaks down while the server stops: the exception is kept (the dispatcher
    will see it), no solve is started and nothing is logged as an error; the next start
    computes its options."""
    exceptions, solved = _Exceptions(), list[str]()
    stopping = _service(exceptions, solved)
    stopping.stop_computing()
    with caplog.at_level(logging.INFO, logger="fleetline"):
        opened = stopping.open(ExceptionKind.BREAKDOWN, DAY, "Truck 01 broke down", ())
        stopping.close()
    assert exceptions.stored[opened.id].status is ExceptionStatus.OPEN
    assert exceptions.stored[opened.id].options_ready_at is None
    assert solved == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in caplog.records if "next start" in r.getMessage()]

    started = _service(exceptions, solved)
    try:
        assert started.recover() == [opened.id]
        started.wait()
    finally:
        started.close()
    assert solved == [opened.id]
    ready = exceptions.stored[opened.id]
    assert ready.options_ready_at is not None and len(ready.options) == 1


def test_a_start_leaves_the_options_already_computed_as_they_are() -> None:
    """An open exception that has its options is not solved again at a start: a restart
    does not replace the options a dispatcher may be looking at."""
    exceptions, solved = _Exceptions(), list[str]()
    first = _service(exceptions, solved)
    try:
        ready = first.open(ExceptionKind.BREAKDOWN, DAY, "Truck 01 broke down", ())
        first.wait()
    finally:
        first.close()
    assert solved == [ready.id]
    started = _service(exceptions, solved)
    try:
        assert started.recover() == []
    finally:
        started.close()
    assert solved == [ready.id]
