"""Exceptions opened while the services shut down: stored now, options at the next start."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from types import SimpleNamespace

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

from ..memory_store import MemoryStore, MemoryUnitOfWork

DAY = date(2026, 11, 26)


def _stored(store: MemoryStore, exception_id: str) -> OperationalException:
    with store.read() as uow:
        found = uow.exceptions.get(exception_id)
    assert found is not None, "the exception was not stored"
    return found


def _option() -> ExceptionOption:
    return ExceptionOption(
        "redistribute", "redistribute", "Truck 02 takes them", Impact(0, 0.0, 0, 0, 0.0), 1
    )


def _service(store: MemoryStore, solved: list[str]) -> ExceptionService:
    def finder(_snapshot: object, exception: OperationalException) -> list[ExceptionOption]:
        solved.append(exception.id)
        return [_option()]

    picture = SimpleNamespace(snapshot=None, forecasts={})
    live = SimpleNamespace(refresh=lambda _day=None: picture, picture=lambda _day: picture)
    live.today = lambda: DAY
    clock = FixedClock(datetime(2026, 11, 26, 9, 5, tzinfo=UTC))
    return ExceptionService(
        lambda: MemoryUnitOfWork(store, clock),
        Context(clock=clock),
        live,  # type: ignore[arg-type]
        {ExceptionKind.BREAKDOWN: finder},
    )


def test_a_breakdown_reported_during_shutdown_gets_its_options_at_the_next_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A truck breaks down while the server stops: the exception is kept (the dispatcher
    will see it), no solve is started and nothing is logged as an error; the next start
    computes its options."""
    store, solved = MemoryStore(), list[str]()
    stopping = _service(store, solved)
    stopping.stop_computing()
    with caplog.at_level(logging.INFO, logger="fleetline"):
        opened = stopping.open(ExceptionKind.BREAKDOWN, DAY, "Truck 01 broke down", ())
        stopping.close()
    assert _stored(store, opened.id).status is ExceptionStatus.OPEN
    assert _stored(store, opened.id).options_ready_at is None
    assert solved == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in caplog.records if "next start" in r.getMessage()]

    started = _service(store, solved)
    try:
        assert started.recover() == [opened.id]
        started.wait()
    finally:
        started.close()
    assert solved == [opened.id]
    ready = _stored(store, opened.id)
    assert ready.options_ready_at is not None and len(ready.options) == 1


def test_a_start_leaves_the_options_already_computed_as_they_are() -> None:
    """An open exception that has its options is not solved again at a start: a restart
    does not replace the options a dispatcher may be looking at."""
    store, solved = MemoryStore(), list[str]()
    first = _service(store, solved)
    try:
        ready = first.open(ExceptionKind.BREAKDOWN, DAY, "Truck 01 broke down", ())
        first.wait()
    finally:
        first.close()
    assert solved == [ready.id]
    started = _service(store, solved)
    try:
        assert started.recover() == []
    finally:
        started.close()
    assert solved == [ready.id]
