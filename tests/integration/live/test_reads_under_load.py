"""Fifty agents asking "where is my delivery?" at once, while trucks keep sending positions,
all get their answer from a pool of five connections.

A read that asked for the live picture inside its transaction held a connection while the
picture was computed on a second one: with a small pool, fifty such reads held every
connection and waited for one more, and the API hung until the pool's timeout turned
them into errors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fleetline.api.app import create_app
from fleetline.bootstrap import bootstrap
from fleetline.domain.access import Role

from ..api_client import bounded_settings
from .conftest import MORNING, Day

pytestmark = pytest.mark.both_databases  # connection pools and locks are each database's own

READERS = 50


def test_fifty_status_reads_at_once_complete_with_a_pool_of_five(
    day: Day, database_url: str
) -> None:
    settings = bounded_settings(
        database_url,
        database_pool_size=5,
        database_max_overflow=0,
        database_pool_timeout_s=30,
    )
    services = bootstrap(settings, clock=day.api.services.clock, recover=False, send_messages=False)
    try:
        client = TestClient(create_app(services), raise_server_exceptions=False)
        agent = {"Authorization": f"Bearer {day.api.tokens[Role.AGENT]}"}
        gateway = {"Authorization": f"Bearer {day.api.tokens[Role.INTEGRATION]}"}
        orders = [stop for stops in day.routes.values() for stop in stops]
        trucks = sorted(day.routes)
        moving = threading.Event()
        posted: list[int] = []

        def keep_moving() -> None:
            minute = 0
            while not moving.is_set():
                minute += 1
                at = MORNING - timedelta(minutes=30) + timedelta(seconds=minute)
                batch = {
                    "positions": [
                        {
                            "vehicle_id": truck,
                            "lat": 47.1,
                            "lon": 9.5,
                            "recorded_at": at.isoformat(),
                        }
                        for truck in trucks
                    ]
                }
                posted.append(
                    client.post(
                        "/api/v1/telemetry/positions", json=batch, headers=gateway
                    ).status_code
                )
                time.sleep(0.02)

        def ask(n: int) -> tuple[int, Any]:
            response = client.get(f"/api/v1/orders/{orders[n % len(orders)]}/status", headers=agent)
            return response.status_code, response.json()

        feeder = threading.Thread(target=keep_moving)
        feeder.start()
        try:
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=READERS) as pool:
                answers = list(pool.map(ask, range(READERS)))
            took = time.monotonic() - started
        finally:
            moving.set()
            feeder.join(30)
    finally:
        services.close(stop_shared_workers=False)
    assert [status for status, _ in answers] == [200] * READERS, answers[:3]
    assert all(body["eta_window"] is not None for _, body in answers), "every stop has its ETA"
    assert posted and set(posted) == {202}, "positions kept arriving, none refused"
    assert took < 30, f"the reads waited {took:.0f} s: a connection was held while waiting"


def _counting_forecaster(
    live: Any, clock: Any = None, first_waits_for: Callable[[], bool] | None = None
) -> list[str]:
    """Wrap the live service's forecaster; return the names of the threads that called it.

    Each computation takes a while (readers pile up behind it) and, given the fixed
    ``clock``, moves it on by a second, as time passes while a real one runs. The first
    one waits until ``first_waits_for()`` holds (at most 10 s), then a moment more for the
    readers to queue.
    """
    callers: list[str] = []
    forecaster = live._forecaster

    def counted(*args: Any) -> Any:
        callers.append(threading.current_thread().name)
        if first_waits_for is not None and len(callers) == 1:
            deadline = time.monotonic() + 10
            while not first_waits_for() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)
        time.sleep(0.05)
        if clock is not None:
            clock.advance(timedelta(seconds=1))
        return forecaster(*args)

    live._forecaster = counted
    return callers


def _mark_changed(day: Day) -> None:
    at = (MORNING - timedelta(minutes=5)).isoformat()
    truck = sorted(day.routes)[0]
    batch = {"positions": [{"vehicle_id": truck, "lat": 47.1, "lon": 9.5, "recorded_at": at}]}
    response = day.api.post("/api/v1/telemetry/positions", batch, role=Role.INTEGRATION)
    assert response.status_code == 202, response.text


def test_with_the_refresher_running_reads_never_compute_the_picture(
    day: Day, database_url: str
) -> None:
    """Every read answers from the published picture; only the engine's threads (the
    refresher, the re-planner) compute one."""
    services = bootstrap(
        bounded_settings(database_url),
        clock=day.api.services.clock,
        recover=False,
        send_messages=False,
    )
    try:
        first = services.live.picture()  # the day's first picture, asked of the refresher
        callers = _counting_forecaster(services.live)
        services.live.on_event(object())  # type: ignore[arg-type]  (any change marks today)
        with ThreadPoolExecutor(max_workers=20, thread_name_prefix="reader") as pool:
            read = list(pool.map(lambda _n: services.live.picture(), range(20)))
        deadline = time.monotonic() + 10
        while services.live.latest().version == first.version and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        services.close(stop_shared_workers=False)
    assert all(picture.snapshot.date == first.snapshot.date for picture in read)
    assert callers, "the change was computed, by the engine's threads"
    assert not [name for name in callers if name.startswith("reader")], callers


def test_readers_of_a_changed_day_share_one_computation(day: Day) -> None:
    """Without a refresher (a simulated day), twenty readers of a changed day wait for one
    computation instead of computing the same picture twenty times over.

    A reader that asks after a computation started waits for the next one (it must see
    every change made before its question), so the first computation holds on until all
    twenty have asked: on a busy machine a reader's thread may otherwise start that late.
    """
    live = day.api.services.live
    live.refresh()
    asking: list[int] = []
    callers = _counting_forecaster(
        live, day.api.services.clock, first_waits_for=lambda: len(asking) == 20
    )
    _mark_changed(day)

    def read(n: int) -> int:
        asking.append(n)
        return live.picture().version

    with ThreadPoolExecutor(max_workers=20) as pool:
        versions = set(pool.map(read, range(20)))
    assert 1 <= len(callers) <= 2, callers
    assert len(versions) <= 2
