"""Closing the services: nothing keeps running after them, nothing is lost in between."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Sequence
from datetime import date, datetime

import pytest

from fleetline.bootstrap import Services, bootstrap
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.live import ExceptionKind, ExceptionStatus, ReplanMode, ReplanTrigger
from fleetline.domain.model import Location
from fleetline.domain.values import TimeWindow
from fleetline.network.base import Snap, TravelMatrix, TravelTimes
from fleetline.planning.worker_processes import stop_what_if_workers

from ..api_client import DAY, bounded_settings
from .conftest import MORNING, Day, at, report


def _break_down(day: Day, vehicle_index: int, when: str) -> None:
    broken = sorted(day.routes)[vehicle_index]
    response = day.api.post(
        f"/api/v1/vehicles/{broken}/events", {"type": "breakdown", "at": at(when)}
    )
    assert response.status_code == 200, response.text
    day.api.services.exceptions.wait()


def test_closing_the_services_stops_the_what_if_solver_processes(day: Day) -> None:
    """A breakdown's options are solved on worker processes; once the services are closed
    none of them is left running, so a stopped server or benchmark leaves no orphans
    holding memory and CPU."""
    stop_what_if_workers()  # those of earlier tests: this one counts the processes it starts
    before = set(multiprocessing.active_children())
    report(day, day.stop_of(0), "completed", "08:20")
    _break_down(day, 0, "08:25")
    [exception] = day.api.get("/api/v1/exceptions", status="open").json()
    assert len(exception["options"]) >= 2
    workers = set(multiprocessing.active_children()) - before
    assert workers, "the options were solved on worker processes"
    day.api.services.close()
    assert not workers & set(multiprocessing.active_children())
    assert not any(w.is_alive() for w in workers)


class HeldRoads:
    """Travel times that hold the re-planner's questions until released."""

    name = "held"

    def __init__(self, roads: TravelTimes) -> None:
        self._roads = roads
        self.asked = threading.Event()
        self.release = threading.Event()

    def matrix(
        self, locations: Sequence[Location], departure: datetime | None = None
    ) -> TravelMatrix:
        if threading.current_thread().name.startswith("replan"):
            self.asked.set()
            assert self.release.wait(60)
        return self._roads.matrix(locations, departure)

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return self._roads.snap(locations)


def _services(database_url: str, roads: TravelTimes, *, recover: bool) -> Services:
    return bootstrap(
        bounded_settings(database_url),
        clock=FixedClock(MORNING),
        travel_times=roads,
        recover=recover,
        live_refresh=False,
        send_messages=False,
    )


def test_a_re_plan_under_way_at_shutdown_leaves_its_exception_for_the_next_start(
    day: Day, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The services close while a window change is being re-planned: its exception is
    stored without options and without an error in the log, and the next start computes
    its options, so the dispatcher still gets a choice."""
    roads = HeldRoads(day.api.services.travel_times)
    services = _services(database_url, roads, recover=False)
    order_id = day.stop_of(0, 0)
    closing = threading.Thread(target=services.close)
    try:
        services.bus.handle(
            commands.SetReplanPolicy(trigger=ReplanTrigger.WINDOW_CHANGE, mode=ReplanMode.APPROVE)
        )
        moved = TimeWindow(datetime.fromisoformat(at("10:30")), datetime.fromisoformat(at("11:30")))
        services.bus.handle(commands.ChangeOrder(order_id=order_id, time_windows=(moved,)))
        assert roads.asked.wait(60), "the window change is being re-planned"
        with caplog.at_level(logging.INFO, logger="fleetline"):
            closing.start()
            while closing.is_alive() and not services.exceptions.stopped:
                closing.join(0.01)
            roads.release.set()
            closing.join(60)
    finally:
        roads.release.set()
        if closing.ident is None:  # it failed before closing
            services.close()
    assert not closing.is_alive()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("next start" in r.getMessage() for r in caplog.records)
    today = date.fromisoformat(DAY)
    with day.api.services.uow_factory() as uow:
        [waiting] = uow.exceptions.list(day=today, status=ExceptionStatus.OPEN)
    assert waiting.kind is ExceptionKind.WINDOW_UNMET and waiting.order_id == order_id
    assert waiting.options_ready_at is None and not waiting.options

    again = _services(database_url, day.api.services.travel_times, recover=True)
    try:
        again.exceptions.wait()
    finally:
        again.close()
    with day.api.services.uow_factory() as uow:
        ready = uow.exceptions.get(waiting.id)
    assert ready is not None and ready.status is ExceptionStatus.OPEN
    assert ready.options_ready_at is not None
    [option] = ready.options
    assert option.summary
